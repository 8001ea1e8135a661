package io.sluice.engine.run;

import static java.util.Objects.requireNonNull;

import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.config.StagingConfig;
import io.sluice.engine.layout.ReducedLayout;
import io.sluice.engine.reduce.LatestPerEntity;
import io.sluice.engine.reduce.LatestPerEntity.Reduction;
import io.sluice.engine.sink.PartitionSink;
import io.sluice.engine.sink.WriteSpec;
import io.sluice.engine.source.SchemaCheck;
import io.sluice.engine.source.SourcePathNotFoundException;
import io.sluice.engine.source.SourceReader;
import io.sluice.engine.source.ViewColumns;
import io.sluice.engine.staging.SourceDescription;
import io.sluice.engine.staging.StageManifest;
import io.sluice.engine.staging.Staging;
import io.sluice.engine.staging.StagingReport;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.stores.OnlineStores;
import io.sluice.registry.DataSourceDefinition;
import io.sluice.registry.FeatureViewDefinition;
import io.sluice.registry.MaterializationRun;
import io.sluice.registry.RunPhase;
import io.sluice.registry.RunStatus;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One materialization run of one feature view for one window, driver side: given the view (looked
 * up before Spark starts, by {@link #materializableView}), start a run row, read and check the
 * source, reduce to the latest row per entity, write every partition through the online writers,
 * and only then record the interval and the run's success in one registry transaction. Any failure
 * after the run row exists marks the run FAILED and records no interval; so does a {@link RunStop}
 * request before that transaction (it cancels the run's Spark jobs, and the run fails with a {@link
 * RunStoppedException}). Nothing is collected to the driver; it holds the plan and the counters.
 */
public final class Materialization {
  private static final Logger LOG = LoggerFactory.getLogger(Materialization.class);

  /** Feast's look-back when a view has no ttl: 52 weeks. */
  static final Duration NO_TTL_LOOKBACK = Duration.ofDays(7 * 52);

  private final SparkSession spark;
  private final RepoConfig config;
  private final SqlRegistry registry;
  private final RunStop stop;

  /** Runs that nothing stops but a failure (no signal handling: tests, the demo). */
  public Materialization(SparkSession spark, RepoConfig config, SqlRegistry registry) {
    this(spark, config, registry, new RunStop());
  }

  /**
   * Runs that {@code stop} may stop before they complete: a stopped run is marked FAILED and
   * reported, with the signal's exit code (see {@link RunStop}).
   */
  public Materialization(
      SparkSession spark, RepoConfig config, SqlRegistry registry, RunStop stop) {
    this.spark = requireNonNull(spark, "spark is null");
    this.config = requireNonNull(config, "config is null");
    this.registry = requireNonNull(registry, "registry is null");
    this.stop = requireNonNull(stop, "stop is null");
    // Windows and naive timestamps are UTC; timestamps reach the writers as Instants.
    spark.conf().set("spark.sql.session.timeZone", "UTC");
    spark.conf().set("spark.sql.datetime.java8API.enabled", "true");
  }

  /**
   * The feature view {@code name} of the project, checked for what a run needs that Spark does not
   * decide: it exists, is online and has features. Needs no Spark session: callers look the view up
   * before starting one, so these errors come as fast as the other configuration errors.
   *
   * @throws io.sluice.registry.FeatureViewNotFoundException naming the views that exist
   * @throws InvalidUsageException when the view is offline or has no features
   */
  public static FeatureViewDefinition materializableView(
      RepoConfig config, SqlRegistry registry, String name) {
    FeatureViewDefinition view = registry.featureView(config.project(), name);
    requireMaterializable(view);
    return view;
  }

  /** Materializes {@code [start, end)} of {@code view}, as {@link #materializableView} read it. */
  public RunReport materialize(
      FeatureViewDefinition view, TimeInterval window, WriteMode requested) {
    return materialize(view, window, requested, true);
  }

  /**
   * As {@link #materialize(FeatureViewDefinition, TimeInterval, WriteMode)}; with a staging
   * location, {@code resume} false never reuses a stage ({@code --no-resume}).
   */
  public RunReport materialize(
      FeatureViewDefinition view, TimeInterval window, WriteMode requested, boolean resume) {
    WriteMode mode = effective(config, requested);
    return run(view, window, mode, "materialize", resume);
  }

  /**
   * Materializes {@code view} from its greatest recorded end (or {@code end - ttl}, or 52 weeks
   * when it has no ttl) to {@code end}; reports {@link RunReport#UP_TO_DATE} when there is nothing
   * left. The recorded intervals are those of {@code view}, as {@link #materializableView} read it.
   */
  public RunReport materializeIncremental(
      FeatureViewDefinition view, Instant end, WriteMode requested) {
    return materializeIncremental(view, end, requested, true);
  }

  /** As {@link #materializeIncremental(FeatureViewDefinition, Instant, WriteMode)}, with resume. */
  public RunReport materializeIncremental(
      FeatureViewDefinition view, Instant end, WriteMode requested, boolean resume) {
    WriteMode mode = effective(config, requested);
    Optional<RunReport> upToDate = upToDate(config, view, end, requested);
    if (upToDate.isPresent()) {
      return upToDate.get();
    }
    return run(
        view,
        new TimeInterval(incrementalStart(view, end), end),
        mode,
        "materialize-incremental",
        resume);
  }

  /**
   * The {@link RunReport#UP_TO_DATE} report of {@code materialize-incremental --end end} when the
   * view's recorded intervals already reach {@code end}, else empty. Needs no Spark session, so the
   * command answers an hourly no-op without starting one.
   */
  public static Optional<RunReport> upToDate(
      RepoConfig config, FeatureViewDefinition view, Instant end, WriteMode requested) {
    Instant start = incrementalStart(view, end);
    if (start.isBefore(end)) {
      return Optional.empty();
    }
    LOG.info(
        "Feature view {} is materialized up to {}; nothing to do before {}",
        view.name(),
        start,
        end);
    return Optional.of(
        RunReport.upToDate(
            config.project(),
            view.name(),
            start,
            end,
            mode(effective(config, requested)),
            OnlineStores.location(config.onlineStore())));
  }

  /** Where {@code materialize-incremental} starts: the greatest recorded end, or end - ttl. */
  private static Instant incrementalStart(FeatureViewDefinition view, Instant end) {
    Duration lookback = view.ttl().isZero() ? NO_TTL_LOOKBACK : view.ttl();
    return view.latestMaterializedEnd().orElse(end.minus(lookback));
  }

  /** Feast's unchecked writes (Redis {@code skip_dedup: true}) make every run a forced one. */
  private static WriteMode effective(RepoConfig config, WriteMode requested) {
    return config.onlineStore().skipsNewerOnlyCheck() ? WriteMode.FORCE : requested;
  }

  private static void requireMaterializable(FeatureViewDefinition view) {
    if (!view.online()) {
      throw new InvalidUsageException(
          "Cannot materialize feature view "
              + view.name()
              + ": it has online: false, so Feast does not serve it online; set online: true and"
              + " apply");
    }
    if (view.features().isEmpty()) {
      throw new InvalidUsageException(
          "Cannot materialize feature view " + view.name() + ": it has no features");
    }
  }

  private RunReport run(
      FeatureViewDefinition view,
      TimeInterval window,
      WriteMode mode,
      String command,
      boolean resume) {
    requireMaterializable(view);
    String master = spark.sparkContext().master();
    if (OnlineStores.needsLocalMode(config.onlineStore()) && !master.startsWith("local")) {
      String type = OnlineStores.typeName(config.onlineStore());
      throw new InvalidUsageException(
          "Cannot write the "
              + type
              + " online store "
              + OnlineStores.location(config.onlineStore())
              + " from Spark master "
              + master
              + ": every executor would write a file on its own host. The "
              + type
              + " online store needs Spark's local mode: run submit/bin/sluice without"
              + " SPARK_HOME, or use an online store on a server ("
              + String.join(", ", OnlineStores.serverTypeNames())
              + ")");
    }
    RunCounters counters = new RunCounters(spark.sparkContext());
    // The run begins for the stop before its row is written, so that a signal either comes first
    // (no row is written) or finds the run to stop.
    try (StoppedRunJobs jobs = StoppedRunJobs.register(spark.sparkContext(), stop)) {
      stop.begin(jobs);
      try {
        String runId =
            registry.startRun(
                config.project(), view.name(), window, spark.sparkContext().applicationId());
        return runStarted(view, window, mode, command, resume, counters, runId);
      } finally {
        stop.end();
      }
    }
  }

  /** The run from its row on: see the class comment. */
  private RunReport runStarted(
      FeatureViewDefinition view,
      TimeInterval window,
      WriteMode mode,
      String command,
      boolean resume,
      RunCounters counters,
      String runId) {
    RunReport.Context context =
        new RunReport.Context(
            runId,
            command,
            config.project(),
            view.name(),
            window,
            mode(mode),
            OnlineStores.location(config.onlineStore()));
    LOG.info(
        "Run {}: materializing {} for {} to {} ({})",
        runId,
        view.name(),
        window,
        OnlineStores.location(config.onlineStore()),
        context.mode());
    try {
      stop.check(); // a signal while the run row was written
      Staged staged = write(view, window, mode, runId, counters, resume);
      // A signal from here on no longer stops the run: it waits for the run to complete.
      stop.completing();
      long recordStarted = System.nanoTime();
      registry.completeRun(runId, counters.stats());
      counters.secondsSince("record", recordStarted);
      finishStage(staged, runId, counters);
      counters.finish();
      RunReport report = RunReport.succeeded(context, counters.counts());
      LOG.info(
          "Run {}: {} rows read, {} dropped, {} entities, {} written, {} skipped as not newer, {}"
              + " store retries ({} throttled) in {} s",
          runId,
          report.rowsRead(),
          report.rowsDroppedTotal(),
          report.entities(),
          report.rowsWritten(),
          report.rowsSkippedNotNewer(),
          report.storeRetries(),
          report.storeThrottled(),
          report.seconds().get("total"));
      return report;
    } catch (Exception e) { // Spark's Scala code throws checked exceptions undeclared
      counters.finish();
      // A stopped run's work fails as Spark's cancelled jobs do: the stop is the reason.
      Exception failure =
          e instanceof RunStoppedException
              ? e
              : stop.stoppedBy()
                  .<Exception>map(signal -> RunStoppedException.duringRun(signal, e))
                  .orElse(e);
      String message = ExitCodes.message(failure);
      if (failure != e) {
        LOG.info("Run {}: {}; its work ended with: {}", runId, message, e.toString());
      }
      try {
        registry.failRun(runId, counters.stats(), message);
      } catch (RuntimeException failRun) {
        LOG.warn("Cannot mark run {} failed in the registry", runId, failRun);
        failure.addSuppressed(failRun);
      }
      throw new MaterializationFailedException(
          RunReport.failed(context, counters.counts(), ExitCodes.of(failure), message), failure);
    }
  }

  /**
   * Reads, checks, reduces and writes every partition; fills {@code counters} as it goes. With a
   * staging location the reduced rows are staged first (or a complete stage of the window is
   * reused, when {@code resume}), and the write reads the stage. Returns the stage, or null.
   */
  private Staged write(
      FeatureViewDefinition view,
      TimeInterval window,
      WriteMode mode,
      String runId,
      RunCounters counters,
      boolean resume) {
    ViewColumns columns = ViewColumns.of(view);
    // A relative file path (as `feast apply` stores it) is relative to the repo, as in Feast.
    DataSourceDefinition source =
        view.batchSource().withPathResolvedAgainst(config.file().getParent());
    StagingConfig staging = config.batchEngine().staging();
    spark.sparkContext().setJobGroup(runId, "sluice " + view.name() + " " + window, false);
    try {
      Dataset<Row> latest;
      Staged staged = null;
      Reduction reduction = null;
      if (staging.location() == null) {
        reduction = reduce(view.name(), source, columns, window);
        latest = reduction.latest();
      } else {
        staged = stage(view, columns, source, window, runId, counters, resume);
        latest = staged.rows();
      }
      if (config.batchEngine().partitions() > 0) {
        latest = latest.repartition(config.batchEngine().partitions());
      } else if (staged != null && latest.rdd().getNumPartitions() < parallelWriters()) {
        // A small stage is read in fewer splits than cores: fewer writers than a run without
        // staging would have.
        latest = latest.repartition(parallelWriters());
      }
      PartitionSink sink =
          new PartitionSink(
              new WriteSpec(
                  config.onlineStore(),
                  ViewColumns.schema(view, config.registry().onlineVersioning()),
                  new WriteOptions(
                      mode,
                      config.keyFormat(),
                      config.batchEngine().writeRetryBudget(),
                      parallelWriters()),
                  config.batchEngine().writeBatchSize()),
              counters.sink);
      if (staged == null) {
        counters.secondsSince("plan", counters.startedNanos());
      }
      double[] action =
          timed(runId, view.name(), latest, counters, rows -> rows.foreachPartition(sink));
      if (staged == null) {
        counters.seconds("read_reduce", action[1]);
        counters.seconds("write", action[0] - action[1]);
        counters.observed(observed(reduction));
      } else {
        counters.seconds("write", action[0]);
        long seen = counters.stats().entities();
        if (seen != staged.stage().manifest().rows()) {
          throw new IllegalStateException(
              "Stage "
                  + staged.stage().folder()
                  + " holds "
                  + staged.stage().manifest().rows()
                  + " rows but the write saw "
                  + seen
                  + "; no interval is recorded. Run again with --no-resume");
        }
      }
      return staged;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  private Reduction reduce(
      String viewName, DataSourceDefinition source, ViewColumns columns, TimeInterval window) {
    Dataset<Row> rows = SourceReader.read(spark, source, window);
    SchemaCheck.check(viewName, source.name(), rows.schema(), columns);
    return LatestPerEntity.reduce(rows, columns, window);
  }

  /**
   * Runs {@code action} on {@code rows} with the run's progress lines; returns its seconds and, of
   * those, the seconds to its last shuffle map stage (reading and reducing).
   */
  private double[] timed(
      String runId,
      String viewName,
      Dataset<Row> rows,
      RunCounters counters,
      java.util.function.Consumer<Dataset<Row>> action) {
    stop.check(); // no new Spark action once stopped
    StageTimes stages = new StageTimes(runId);
    spark.sparkContext().addSparkListener(stages);
    long started = System.nanoTime();
    long startedMillis = System.currentTimeMillis();
    try (RunProgress progress =
        RunProgress.start(spark.sparkContext(), runId, viewName, rows, counters.sink)) {
      action.accept(rows);
    } finally {
      spark.sparkContext().removeSparkListener(stages);
    }
    // The action's time is measured here; the listener only splits it (its events arrive
    // asynchronously, the last ones possibly after the action returned).
    double seconds = (System.nanoTime() - started) / 1e9;
    return new double[] {seconds, Math.min(stages.readReduceSeconds(startedMillis), seconds)};
  }

  /** The stage a run wrote or reused, and its rows as the write reads them. */
  private record Staged(Staging staging, Staging.Stage stage, Dataset<Row> rows) {}

  /**
   * Finds a complete stage of the window to resume from or writes a new one, marks the run STAGED,
   * and returns the stage's rows. The location is checked for writing first, and stages of this
   * view older than the retention that no running run uses are deleted.
   */
  private Staged stage(
      FeatureViewDefinition view,
      ViewColumns columns,
      DataSourceDefinition source,
      TimeInterval window,
      String runId,
      RunCounters counters,
      boolean resume) {
    StagingConfig settings = config.batchEngine().staging();
    Instant now = Instant.now();
    Staging staging =
        Staging.open(
            spark.sessionState().newHadoopConf(),
            settings.location(),
            config.project(),
            view.name(),
            window);
    Staging.InUse inUse = inUse(view.name(), runId);
    StagingReport report =
        StagingReport.at(
            staging.location(), staging.deleteExpired(settings.retention(), now, inUse));
    counters.staging(report);
    Staging.Fingerprint fingerprint = new Staging.Fingerprint(layout(columns), definition(source));
    Dataset<Row> rows = null;
    SourcePathNotFoundException missing = null;
    try {
      rows = SourceReader.read(spark, source, window);
    } catch (SourcePathNotFoundException e) {
      missing = e; // a source folder that is gone: a failed run's stage may still stand for it
    }
    List<Staging.Stage> complete = staging.completeStages();
    Staging.Choice choice =
        resume
            ? staging.choose(
                complete,
                fingerprint,
                rows == null ? null : SourceDescription.of(SourceReader.describe(source), rows),
                missing == null ? null : missing.getMessage(),
                inUse,
                this::failedAfterStaging)
            : Staging.Choice.none(
                complete.isEmpty()
                    ? List.of()
                    : List.of(
                        "--no-resume: "
                            + complete.size()
                            + " complete stage"
                            + (complete.size() == 1 ? "" : "s")
                            + " of this window not considered"));
    report = report.withNotResumed(choice.notReused());
    Staging.Stage stage;
    if (choice.stage() != null) {
      stage = choice.stage();
      staging.touch(stage);
      double age =
          Math.max(0, Duration.between(stage.manifest().createdAt(), now).toMillis()) / 1000.0;
      report = report.resumed(stage.folder().toString(), age, choice.note());
      counters.staging(report);
      counters.secondsSince("plan", counters.startedNanos());
      LOG.info(
          "Run {}: resuming from stage {} ({} rows, staged {} s ago); the source's rows are not"
              + " read",
          runId,
          stage.folder(),
          stage.manifest().rows(),
          Math.round(age));
    } else {
      if (missing != null) {
        throw missing;
      }
      SchemaCheck.check(view.name(), source.name(), rows.schema(), columns);
      SourceDescription described = SourceDescription.of(SourceReader.describe(source), rows);
      Reduction reduction = LatestPerEntity.reduce(rows, columns, window);
      org.apache.hadoop.fs.Path folder = staging.newStage(runId);
      counters.secondsSince("plan", counters.startedNanos());
      double[] action =
          timed(
              runId,
              view.name(),
              reduction.latest(),
              counters,
              reduced -> writeStage(reduced, folder.toString()));
      counters.seconds("read_reduce", action[1]);
      counters.seconds("stage", action[0] - action[1]);
      counters.observed(observed(reduction));
      StructType schema = reduction.latest().schema();
      stage =
          staging.complete(
              folder,
              files -> {
                // From the Parquet footers (a job that reads no column), not an accumulator: task
                // retries never count twice.
                long staged = files.isEmpty() ? 0 : read(schema, folder, files).count();
                return new StageManifest(
                    StageManifest.FORMAT,
                    StageManifest.REDUCTION,
                    sluiceVersion(),
                    runId,
                    config.project(),
                    view.name(),
                    window.start(),
                    window.end(),
                    Instant.now(),
                    staged,
                    fingerprint.layout(),
                    fingerprint.sourceDefinition(),
                    schema.json(),
                    files,
                    described);
              });
      report = report.withStage(stage.folder().toString());
      counters.staging(report);
      LOG.info("Run {}: staged {} rows in {}", runId, stage.manifest().rows(), stage.folder());
    }
    registry.markStaged(runId, stage.folder().toString());
    StructType schema = (StructType) DataType.fromJson(stage.manifest().sparkSchema());
    Dataset<Row> stagedRows =
        stage.manifest().files().isEmpty()
            ? spark.createDataFrame(List.of(), schema)
            : read(schema, stage.folder(), stage.manifest().files());
    return new Staged(staging, stage, stagedRows);
  }

  private Dataset<Row> read(
      StructType schema, org.apache.hadoop.fs.Path folder, List<StageManifest.StagedFile> files) {
    return spark
        .read()
        .schema(schema)
        .parquet(
            files.stream()
                .map(f -> new org.apache.hadoop.fs.Path(folder, f.name()).toString())
                .toArray(String[]::new));
  }

  /**
   * Writes the stage's Parquet with settings of its own, whatever the session's: timestamps to the
   * microsecond (as the store gets them without staging), and dates and times before the Gregorian
   * switch as they are (no rebasing failure for year-1 sentinels).
   */
  private void writeStage(Dataset<Row> reduced, String folder) {
    Map<String, String> pinned =
        Map.of(
            "spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS",
            "spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED",
            "spark.sql.parquet.int96RebaseModeInWrite", "CORRECTED");
    Map<String, Optional<String>> before = new java.util.HashMap<>();
    pinned.forEach(
        (key, value) -> {
          before.put(key, Optional.ofNullable(spark.conf().getOption(key).getOrElse(() -> null)));
          spark.conf().set(key, value);
        });
    try {
      reduced.write().mode(SaveMode.ErrorIfExists).parquet(folder);
    } finally {
      before.forEach(
          (key, value) -> {
            if (value.isPresent()) {
              spark.conf().set(key, value.get());
            } else {
              spark.conf().unset(key);
            }
          });
    }
  }

  /** The stages running runs of the view (other than {@code runId}) made or resume from. */
  private Staging.InUse inUse(String viewName, String runId) {
    java.util.Set<String> runIds = new java.util.HashSet<>();
    java.util.Set<String> stages = new java.util.HashSet<>();
    for (MaterializationRun run : registry.runningRuns(config.project(), viewName)) {
      if (!run.runId().equals(runId)) {
        runIds.add(run.runId());
        if (run.stage() != null) {
          stages.add(run.stage());
        }
      }
    }
    return new Staging.InUse(runIds, stages);
  }

  /**
   * Whether the stage's own run (its manifest's) failed after staging and no run has succeeded from
   * it since: only then does it stand for a source that is gone.
   */
  private boolean failedAfterStaging(Staging.Stage stage) {
    boolean failed =
        registry
            .run(stage.manifest().runId())
            .map(run -> run.status() == RunStatus.FAILED && run.phase() == RunPhase.STAGED)
            .orElse(false);
    return failed
        && registry.runs(config.project(), stage.manifest().featureView()).stream()
            .noneMatch(
                run ->
                    run.status() == RunStatus.SUCCEEDED
                        && stage.folder().toString().equals(run.stage()));
  }

  /**
   * The batch source's definition as a stage records it: every field that decides which rows the
   * reduction keeps (not its name).
   */
  static String definition(DataSourceDefinition source) {
    Map<String, Object> fields = new java.util.LinkedHashMap<>();
    fields.put("kind", source.kind().name());
    fields.put("path", source.path());
    fields.put("table", source.table());
    fields.put("query", source.query());
    fields.put("file_format", source.fileFormat());
    fields.put("timestamp_field", source.timestampField());
    fields.put("created_timestamp_column", source.createdTimestampColumn());
    fields.put("date_partition_column", source.datePartitionColumn());
    fields.put("date_partition_column_format", source.datePartitionColumnFormat());
    fields.put("field_mapping", new java.util.TreeMap<>(source.fieldMapping()));
    try {
      return io.sluice.common.json.Json.MAPPER.writeValueAsString(fields);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Cannot describe source " + source.name(), e);
    }
  }

  /** The reduced layout's columns as a stage's manifest lists them: {@code name:FEAST_TYPE}. */
  private static List<String> layout(ViewColumns columns) {
    ReducedLayout layout = columns.layout();
    List<String> names = layout.columnNames();
    List<String> described = new java.util.ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      String type;
      if (i < layout.joinKeys().size()) {
        type = layout.joinKeys().get(i).type().name();
      } else if (i == layout.eventTimestampIndex() || i == layout.createdTimestampIndex()) {
        type = "UNIX_TIMESTAMP";
      } else {
        type = layout.features().get(i - layout.featureIndex(0)).type().name();
      }
      described.add(names.get(i) + ":" + type);
    }
    return described;
  }

  /**
   * After a succeeded run: deletes its stage, unless {@code sluice.staging_keep} says to keep it or
   * another running run uses it. Never throws: the run has succeeded, and a stage left behind is
   * deleted by a later run once it is older than the retention.
   */
  private void finishStage(Staged staged, String runId, RunCounters counters) {
    if (staged == null) {
      return;
    }
    boolean kept = true;
    try {
      if (!config.batchEngine().staging().keep()) {
        Staging.InUse inUse = inUse(staged.stage().manifest().featureView(), runId);
        kept =
            inUse.uses(staged.stage().folder())
                || !staged.staging().delete(staged.stage().folder());
      }
    } catch (RuntimeException e) {
      LOG.warn("Run {}: cannot delete stage {}: {}", runId, staged.stage().folder(), e.toString());
    }
    counters.staging(counters.staging().withKept(kept));
  }

  private static String sluiceVersion() {
    String version = Materialization.class.getPackage().getImplementationVersion();
    return version == null ? "development" : version;
  }

  /**
   * The observed counts. Spark fills them when the write action completes; the wait is bounded so a
   * Spark change in when observations fire can never hang a run.
   */
  private static Map<String, Object> observed(Reduction reduction) {
    return observedMap(reduction.counts());
  }

  private static Map<String, Object> observedMap(Observation observation) {
    try {
      return CompletableFuture.supplyAsync(
              () -> {
                try {
                  return observation.getAsJava();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new java.util.concurrent.CompletionException(e);
                }
              })
          .get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading the run's counts", e);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot read the run's observed counts", e);
    }
  }

  /**
   * How many writers run at once, for a store that splits a job-wide write rate among them
   * (DynamoDB's {@code target_write_capacity}): the write partitions when {@code
   * batch_engine.partitions} sets them, else Spark's default parallelism (its cores when the job
   * starts: at most that many tasks run at once). With fewer cores than partitions fewer writers
   * run at once, and the job writes below its target rather than above it.
   */
  private int parallelWriters() {
    int partitions = config.batchEngine().partitions();
    return partitions > 0 ? partitions : Math.max(1, spark.sparkContext().defaultParallelism());
  }

  private static String mode(WriteMode mode) {
    return mode.name().toLowerCase(Locale.ROOT);
  }
}
