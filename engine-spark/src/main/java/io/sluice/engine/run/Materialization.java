package io.sluice.engine.run;

import static java.util.Objects.requireNonNull;

import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.reduce.LatestPerEntity;
import io.sluice.engine.reduce.LatestPerEntity.Reduction;
import io.sluice.engine.sink.PartitionSink;
import io.sluice.engine.sink.WriteSpec;
import io.sluice.engine.source.SchemaCheck;
import io.sluice.engine.source.SourceReader;
import io.sluice.engine.source.ViewColumns;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.stores.OnlineStores;
import io.sluice.registry.FeatureViewDefinition;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One materialization run of one feature view for one window, driver side: given the view (looked
 * up before Spark starts, by {@link #materializableView}), start a run row, read and check the
 * source, reduce to the latest row per entity, write every partition through the online writers,
 * and only then record the interval and the run's success in one registry transaction. Any failure
 * after the run row exists marks the run FAILED and records no interval. Nothing is collected to
 * the driver; it holds the plan and the counters.
 */
public final class Materialization {
  private static final Logger LOG = LoggerFactory.getLogger(Materialization.class);

  /** Feast's look-back when a view has no ttl: 52 weeks. */
  static final Duration NO_TTL_LOOKBACK = Duration.ofDays(7 * 52);

  private final SparkSession spark;
  private final RepoConfig config;
  private final SqlRegistry registry;

  public Materialization(SparkSession spark, RepoConfig config, SqlRegistry registry) {
    this.spark = requireNonNull(spark, "spark is null");
    this.config = requireNonNull(config, "config is null");
    this.registry = requireNonNull(registry, "registry is null");
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
    WriteMode mode = effective(config, requested);
    return run(view, window, mode, "materialize");
  }

  /**
   * Materializes {@code view} from its greatest recorded end (or {@code end - ttl}, or 52 weeks
   * when it has no ttl) to {@code end}; reports {@link RunReport#UP_TO_DATE} when there is nothing
   * left. The recorded intervals are those of {@code view}, as {@link #materializableView} read it.
   */
  public RunReport materializeIncremental(
      FeatureViewDefinition view, Instant end, WriteMode requested) {
    WriteMode mode = effective(config, requested);
    Optional<RunReport> upToDate = upToDate(config, view, end, requested);
    if (upToDate.isPresent()) {
      return upToDate.get();
    }
    return run(
        view, new TimeInterval(incrementalStart(view, end), end), mode, "materialize-incremental");
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
      FeatureViewDefinition view, TimeInterval window, WriteMode mode, String command) {
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
    String runId =
        registry.startRun(
            config.project(), view.name(), window, spark.sparkContext().applicationId());
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
      write(view, window, mode, runId, counters);
      long recordStarted = System.nanoTime();
      registry.completeRun(runId, counters.stats());
      counters.secondsSince("record", recordStarted);
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
      String message = ExitCodes.message(e);
      try {
        registry.failRun(runId, counters.stats(), message);
      } catch (RuntimeException failRun) {
        LOG.warn("Cannot mark run {} failed in the registry", runId, failRun);
        e.addSuppressed(failRun);
      }
      throw new MaterializationFailedException(
          RunReport.failed(context, counters.counts(), ExitCodes.of(e), message), e);
    }
  }

  /** Reads, checks, reduces and writes every partition; fills {@code counters} as it goes. */
  private void write(
      FeatureViewDefinition view,
      TimeInterval window,
      WriteMode mode,
      String runId,
      RunCounters counters) {
    ViewColumns columns = ViewColumns.of(view);
    // A relative file path (as `feast apply` stores it) is relative to the repo, as in Feast.
    Dataset<Row> source =
        SourceReader.read(
            spark, view.batchSource().withPathResolvedAgainst(config.file().getParent()), window);
    SchemaCheck.check(view.name(), view.batchSource().name(), source.schema(), columns);
    Reduction reduction = LatestPerEntity.reduce(source, columns, window);
    Dataset<Row> latest = reduction.latest();
    if (config.batchEngine().partitions() > 0) {
      latest = latest.repartition(config.batchEngine().partitions());
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
    counters.secondsSince("plan", counters.startedNanos());

    StageTimes stages = new StageTimes(runId);
    spark.sparkContext().addSparkListener(stages);
    spark.sparkContext().setJobGroup(runId, "sluice " + view.name() + " " + window, false);
    long actionStarted = System.nanoTime();
    long actionStartedMillis = System.currentTimeMillis();
    try (RunProgress progress =
        RunProgress.start(spark.sparkContext(), runId, view.name(), latest, counters.sink)) {
      latest.foreachPartition(sink);
    } finally {
      spark.sparkContext().clearJobGroup();
      spark.sparkContext().removeSparkListener(stages);
    }
    // The action's time is measured here; the listener only splits it (its events arrive
    // asynchronously, the last ones possibly after the action returned).
    double action = (System.nanoTime() - actionStarted) / 1e9;
    double readReduce = Math.min(stages.readReduceSeconds(actionStartedMillis), action);
    counters.seconds("read_reduce", readReduce);
    counters.seconds("write", action - readReduce);
    counters.observed(observed(reduction));
  }

  /**
   * The observed counts. Spark fills them when the write action completes; the wait is bounded so a
   * Spark change in when observations fire can never hang a run.
   */
  private static Map<String, Object> observed(Reduction reduction) {
    try {
      return CompletableFuture.supplyAsync(
              () -> {
                try {
                  return reduction.counts().getAsJava();
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
