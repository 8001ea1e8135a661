package io.sluice.benchmark.performance;

import io.sluice.benchmark.performance.SluiceLauncher.Mode;
import io.sluice.testing.DynaliteServer;
import io.sluice.testing.RedisServer;
import io.sluice.testing.S3MockServer;
import io.sluice.testing.SparkCluster;
import io.sluice.testing.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;
import redis.clients.jedis.Jedis;

/**
 * The performance report of issue 10, in one command ({@code integration-tests/bench [flags]}, see
 * {@link BenchmarkOptions}): it generates its inputs with a fixed seed (cached), runs {@code
 * submit/bin/sluice materialize} in local mode against real servers, measures beside every figure
 * the limit it is judged against, and writes the JSON of every figure, {@code BENCHMARKS.md} and
 * its plots.
 *
 * <p>Sections (each a ratio to a limit measured in the same harness run, side by side: the variants
 * of one repetition run one after the other, their order rotating per repetition):
 *
 * <ul>
 *   <li>{@code reduction}: the run's {@code seconds.read_reduce} against DuckDB reducing the same
 *       Parquet to the latest row per entity with as many threads ({@link DuckDbReduction}).
 *   <li>{@code write}: the run's rows written / {@code seconds.write}, newer-only and {@code
 *       --force}, against a plain pipelined HSET loop of the bytes the run wrote, from as many
 *       threads as the run wrote with ({@link RedisHashDump}).
 *   <li>{@code fixed-cost}: launcher start to the first Spark job plus {@code plan} ({@link
 *       RunResult#fixedCostSeconds}), at the smallest size.
 *   <li>{@code end-to-end}: wall seconds, linearity against the smallest size, and peak RSS of the
 *       {@code sluice materialize} process ({@code /usr/bin/time}).
 *   <li>{@code cpu-shuffle}: the run's CPU share of the machine and the shuffle bytes its Spark
 *       event log records.
 *   <li>{@code cluster}: the newer-only runs again through {@code spark-submit} on a standalone
 *       cluster on this machine ({@link SparkCluster}): wall, linearity, stages, driver RSS, and
 *       the wall against local mode's.
 *   <li>{@code staging}: end-to-end wall with {@code batch_engine.staging_location} on the local
 *       file system and on {@code s3a://} (S3Mock) against the same run without staging, and a run
 *       resumed from a kept stage against a full rerun, at the largest size up to 10M rows.
 *   <li>{@code width}: write rows/s at 10, 50, 200 FLOAT features against the HSET loop.
 *   <li>{@code stores}: DynamoDB (dynalite) and SQLite runs against plain loops over the same items
 *       and rows ({@link StoreLimits}).
 *   <li>{@code feast}: {@code feast materialize} on the same data and store, when {@code feast} is
 *       on the PATH (else skipped, and said so).
 * </ul>
 */
public final class PerformanceReport {
  static final int WRITE_BATCH = 1000;

  /** The standalone worker's memory, and the executor's share of it (the driver runs apart). */
  private static final String CLUSTER_WORKER_MEMORY = "6g";

  private static final String CLUSTER_EXECUTOR_MEMORY = "4g";

  private final BenchmarkOptions options;
  private final Path root;
  private final Path work;
  private final SluiceLauncher launcher;
  private final int cores = Runtime.getRuntime().availableProcessors();
  private final List<Figure> figures = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();
  private final Plots.Series endToEnd = new Plots.Series();
  private final Plots.Series widthSluice = new Plots.Series();
  private final Plots.Series widthLimit = new Plots.Series();
  private final Plots.Series endToEndCluster = new Plots.Series();

  /** Local mode's newer-only runs and HSET loop rates by size, for the cluster section. */
  private final Map<Long, List<RunResult>> localRuns = new TreeMap<>();

  private final Map<Long, List<Double>> hsetLoopRates = new TreeMap<>();
  private final Map<Long, Integer> hsetLoopThreads = new TreeMap<>();

  private PerformanceReport(BenchmarkOptions options, Path root, Path work) {
    this.options = options;
    this.root = root;
    this.work = work;
    this.launcher = new SluiceLauncher(root);
  }

  public static void main(String[] args) {
    BenchmarkOptions options;
    try {
      options = BenchmarkOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Path root = Path.of("").toAbsolutePath();
    if (!Files.isExecutable(root.resolve("submit/bin/sluice"))) {
      throw new IllegalStateException("Run the harness from the source tree's root: " + root);
    }
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long startNanos = System.nanoTime();
    Map<String, String> machine = Machine.describe(root);
    Path work = TempDirs.create("bench-performance");
    PerformanceReport report = new PerformanceReport(options, root, work);
    try {
      report.run();
    } finally {
      TempDirs.delete(work);
    }
    String command = "integration-tests/bench " + String.join(" ", args);
    BenchmarkResults results =
        new BenchmarkResults(
            machine,
            command.strip(),
            started.toString(),
            Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0,
            inSectionOrder(report.figures),
            report.skipped);
    results.write(options.out());
    System.out.println();
    System.out.print(MarkdownReport.summary(results));
    System.out.println("Wrote " + options.out().toAbsolutePath());
    if (options.compare() != null) {
      System.out.println();
      System.out.println("Change against " + options.compare() + ":");
      BenchmarkResults.compare(BenchmarkResults.read(options.compare()), results)
          .forEach(line -> System.out.println("  " + line));
    }
    if (options.report() != null) {
      Path plots = options.report().toAbsolutePath().getParent().resolve("docs/benchmarks");
      List<Path> images = new ArrayList<>();
      if (report.endToEnd.size() > 0 || report.endToEndCluster.size() > 0) {
        Map<String, Plots.Series> series = new LinkedHashMap<>();
        if (report.endToEnd.size() > 0) {
          series.put("local mode", report.endToEnd);
        }
        if (report.endToEndCluster.size() > 0) {
          series.put("standalone cluster, client mode", report.endToEndCluster);
        }
        images.add(
            Plots.line(
                plots.resolve("end-to-end-seconds.png"),
                "sluice materialize into Redis, newer-only",
                "rows",
                "wall seconds (median)",
                series));
      }
      if (report.widthSluice.size() > 0) {
        Map<String, Plots.Series> series = new LinkedHashMap<>();
        series.put("Sluice write stage", report.widthSluice);
        series.put("pipelined HSET loop, same bytes", report.widthLimit);
        images.add(
            Plots.line(
                plots.resolve("write-rows-per-second-by-width.png"),
                "Redis write rows/s by feature count",
                "FLOAT features",
                "rows/s (median)",
                series));
      }
      MarkdownReport.write(options.report(), results, images);
      System.out.println("Wrote " + options.report().toAbsolutePath());
    }
  }

  private void run() {
    try (DataSet.Spark spark = new DataSet.Spark()) {
      Map<Long, DataSet> bySize = new TreeMap<>();
      if (redisSizesRun()) {
        for (long size : options.sizes()) {
          bySize.put(size, DataSet.ensure(options.data(), size, size / 10, 10, spark));
        }
      }
      Map<Integer, DataSet> byWidth = new TreeMap<>();
      if (options.runs("width")) {
        for (int width : options.widths()) {
          long entities = options.widthEntities(width);
          byWidth.put(width, DataSet.ensure(options.data(), entities, entities, width, spark));
        }
      }
      DataSet stores =
          options.runs("stores") || options.runs("feast")
              ? DataSet.ensure(
                  options.data(), options.storeRows(), options.storeRows() / 10, 10, spark)
              : null;
      spark.close(); // generation done: free its memory and cores before anything is timed
      try (RedisServer redis = RedisServer.start()) {
        // Untimed: the launcher's first materializing run also writes the class-data sharing
        // archive every later run starts from, as on a user's machine after its first run.
        if (!bySize.isEmpty() || !byWidth.isEmpty()) {
          DataSet first = (bySize.isEmpty() ? byWidth.values() : bySize.values()).iterator().next();
          redisRun(redis, first, Mode.NEWER_ONLY, "warm-up");
        }
        if (!bySize.isEmpty() && localSizesRun()) {
          sizes(redis, bySize);
        }
        if (!bySize.isEmpty() && options.runs("cluster")) {
          cluster(redis, bySize);
        }
        if (!bySize.isEmpty() && options.runs("staging")) {
          staging(redis, stagingData(bySize));
        }
        if (!byWidth.isEmpty()) {
          widths(redis, byWidth);
        }
        if (options.runs("feast")) {
          feast(redis, stores);
        }
      }
      if (options.runs("stores")) {
        dynamoDb(stores);
        sqlite(stores);
      }
    }
  }

  private boolean redisSizesRun() {
    return localSizesRun() || options.runs("cluster") || options.runs("staging");
  }

  private boolean localSizesRun() {
    return List.of("reduction", "write", "fixed-cost", "end-to-end", "cpu-shuffle").stream()
        .anyMatch(options::runs);
  }

  // ---- Redis at each size: reduction, write, fixed cost, end to end, CPU and shuffle ----

  private void sizes(RedisServer redis, Map<Long, DataSet> bySize) {
    boolean write = options.runs("write");
    boolean reduction = options.runs("reduction");
    Map<Long, List<RunResult>> newerOnly = new TreeMap<>();
    Map<Long, List<RunResult>> force = new TreeMap<>();
    Map<Long, List<Double>> hsetLoop = new TreeMap<>();
    Map<Long, List<Double>> duckDb = new TreeMap<>();
    Map<Long, RedisHashDump> dumps = new TreeMap<>();
    Map<Long, Integer> threads = new TreeMap<>();
    for (int r = 0; r < options.repetitions(); r++) {
      for (DataSet data : bySize.values()) {
        long size = data.rows();
        List<Runnable> variants = new ArrayList<>();
        int repetition = r;
        variants.add(
            () -> {
              RunResult result = redisRun(redis, data, Mode.NEWER_ONLY, "r" + repetition);
              newerOnly.computeIfAbsent(size, s -> new ArrayList<>()).add(result);
              if (write) {
                dumps.computeIfAbsent(size, s -> dumpAfter(redis, result, threads, size));
              }
            });
        if (write) {
          variants.add(
              () -> {
                RedisHashDump dump = dumps.get(size);
                flush(redis);
                double rate = dump.timeHsetLoop(redis.port(), threads.get(size), WRITE_BATCH);
                checkKeys(redis, dump.size(), "the HSET loop");
                hsetLoop.computeIfAbsent(size, s -> new ArrayList<>()).add(rate);
                progress(
                    "HSET loop, %s, %,d rows: %,.0f rows/s",
                    threads(threads.get(size)), size, rate);
              });
          variants.add(
              () -> {
                RunResult result = redisRun(redis, data, Mode.FORCE, "r" + repetition);
                force.computeIfAbsent(size, s -> new ArrayList<>()).add(result);
              });
        }
        if (reduction) {
          variants.add(
              () -> {
                double seconds = DuckDbReduction.seconds(data, cores);
                duckDb.computeIfAbsent(size, s -> new ArrayList<>()).add(seconds);
                progress("DuckDB, %d threads, %,d rows: %.2f s", cores, size, seconds);
              });
        }
        // Rotated per repetition; the first repetition starts with the newer-only run, whose
        // stored hashes the HSET loop replays.
        for (int i = 0; i < variants.size(); i++) {
          variants.get((i + r) % variants.size()).run();
        }
      }
    }
    dumps.clear();
    localRuns.putAll(newerOnly);
    hsetLoopRates.putAll(hsetLoop);
    hsetLoopThreads.putAll(threads);
    long smallest = bySize.keySet().iterator().next();
    for (long size : bySize.keySet()) {
      List<RunResult> runs = newerOnly.get(size);
      String rows = rows(size) + " rows";
      if (reduction) {
        figures.add(
            Figure.againstLimit(
                "reduction",
                rows,
                "s",
                sample(runs, run -> run.seconds("read_reduce")),
                "DuckDB, " + threads(cores),
                new Sample(duckDb.get(size)),
                Target.atMost(1.5)));
      }
      if (write) {
        Sample limit = new Sample(hsetLoop.get(size));
        String limitName = "pipelined HSET loop, " + threads(threads.get(size));
        figures.add(
            Figure.againstLimit(
                "write",
                rows + ", newer-only",
                "rows/s",
                sample(runs, RunResult::writeRowsPerSecond),
                limitName,
                limit,
                Target.atLeast(0.6)));
        figures.add(
            Figure.againstLimit(
                "write",
                rows + ", force",
                "rows/s",
                sample(force.get(size), RunResult::writeRowsPerSecond),
                limitName,
                limit,
                Target.atLeast(0.8)));
      }
      if (options.runs("end-to-end")) {
        Sample wall = sample(runs, RunResult::wallSeconds);
        endToEnd.add(size, wall.median());
        figures.add(
            Figure.value(
                "end-to-end",
                rows + ", wall",
                "s",
                wall,
                size == 10_000_000L ? Target.atMost(20) : null));
        if (size != smallest) {
          double allowed = 32.0 / 30.0 * size / smallest;
          figures.add(
              Figure.value(
                      "end-to-end",
                      "linearity " + rows(smallest) + " → " + rows(size),
                      "x",
                      sample(runs, run -> run.wallSeconds())
                          .dividedBy(sample(newerOnly.get(smallest), RunResult::wallSeconds)),
                      Target.atMost(allowed))
                  .withNote(
                      "wall("
                          + rows(size)
                          + ") / wall("
                          + rows(smallest)
                          + "); the target is 32/30 of the size ratio (30M ≤ 32 × 1M)"));
        }
        figures.add(
            Figure.value(
                "end-to-end",
                rows + ", peak RSS",
                "MB",
                sample(runs, run -> run.times().peakRssKb() / 1024.0),
                size == 30_000_000L ? Target.atMost(2560) : null));
      }
      if (options.runs("cpu-shuffle")) {
        figures.add(
            Figure.value(
                    "cpu-shuffle",
                    rows + ", CPU",
                    "%",
                    sample(runs, run -> run.times().cpuPercent(run.wallSeconds(), cores)),
                    null)
                .withNote("(user + sys) / wall / " + cores + " cores, whole process"));
        figures.add(
            Figure.value(
                "cpu-shuffle",
                rows + ", shuffle written",
                "MB",
                sample(runs, run -> run.shuffleBytes() / 1e6),
                null));
      }
    }
    if (options.runs("fixed-cost")) {
      List<RunResult> runs = newerOnly.get(smallest);
      String rows = rows(smallest) + " rows";
      boolean hasStartup = runs.get(0).report().path("seconds").has("startup");
      figures.add(
          Figure.value(
                  "fixed-cost",
                  "launcher start to first Spark job + plan, " + rows,
                  "s",
                  sample(runs, RunResult::fixedCostSeconds),
                  Target.atMost(3))
              .withNote(
                  hasStartup
                      ? "(wall − startup − total) + startup + plan"
                      : "no seconds.startup in this jar's report: wall − (read_reduce + write +"
                          + " record)"));
      if (hasStartup) {
        figures.add(
            Figure.value(
                "fixed-cost",
                "launcher and JVM boot (wall − startup − total), " + rows,
                "s",
                sample(
                    runs, run -> run.wallSeconds() - run.seconds("startup") - run.seconds("total")),
                null));
        figures.add(
            Figure.value(
                "fixed-cost",
                "seconds.startup, " + rows,
                "s",
                sample(runs, run -> run.seconds("startup")),
                null));
      }
      figures.add(
          Figure.value(
              "fixed-cost",
              "seconds.plan, " + rows,
              "s",
              sample(runs, run -> run.seconds("plan")),
              null));
    }
  }

  /** The stored hashes after a run, and the HSET loop's thread count (as many as wrote). */
  private RedisHashDump dumpAfter(
      RedisServer redis, RunResult result, Map<Long, Integer> threads, long size) {
    RedisHashDump dump = RedisHashDump.read(redis.port());
    if (dump.size() != result.rowsWritten()) {
      throw new IllegalStateException(
          "Redis holds " + dump.size() + " hashes, the run wrote " + result.rowsWritten());
    }
    threads.put(size, Math.max(1, Math.min(cores, result.partitions())));
    return dump;
  }

  private RunResult redisRun(RedisServer redis, DataSet data, Mode mode, String label) {
    flush(redis);
    FeatureRepo repo =
        FeatureRepo.create(
            work.resolve("redis-" + data.dir().getFileName() + "-" + mode + "-" + label),
            data,
            FeatureRepo.redisStore(redis.port()));
    RunResult result = launcher.materialize(repo, mode, Map.of());
    if (result.rowsWritten() != data.entities()) {
      throw new IllegalStateException(
          "The run wrote " + result.rowsWritten() + " rows, expected " + data.entities());
    }
    checkKeys(redis, result.rowsWritten(), "the run");
    TempDirs.delete(repo.dir());
    progress(
        "sluice %s, %,d rows, %d features: wall %.2f s, read_reduce %.2f s, write %.2f s (%,.0f rows/s)",
        mode == Mode.FORCE ? "--force" : "newer-only",
        data.rows(),
        data.features(),
        result.wallSeconds(),
        result.seconds("read_reduce"),
        result.seconds("write"),
        result.writeRowsPerSecond());
    return result;
  }

  // ---- the same runs on a standalone cluster ----

  private void cluster(RedisServer redis, Map<Long, DataSet> bySize) {
    Map<Long, List<RunResult>> runs = new TreeMap<>();
    try (SparkCluster cluster =
        SparkCluster.start(work.resolve("spark-cluster"), cores, CLUSTER_WORKER_MEMORY)) {
      // Untimed, as in local mode: the cluster's first application.
      clusterRun(redis, cluster, bySize.values().iterator().next(), "warm-up");
      for (int r = 0; r < options.repetitions(); r++) {
        for (DataSet data : bySize.values()) {
          runs.computeIfAbsent(data.rows(), s -> new ArrayList<>())
              .add(clusterRun(redis, cluster, data, "r" + r));
        }
      }
    }
    long smallest = bySize.keySet().iterator().next();
    for (Map.Entry<Long, List<RunResult>> entry : runs.entrySet()) {
      long size = entry.getKey();
      List<RunResult> sized = entry.getValue();
      String rows = rows(size) + " rows";
      Sample wall = sample(sized, RunResult::wallSeconds);
      endToEndCluster.add(size, wall.median());
      figures.add(Figure.value("cluster", rows + ", wall", "s", wall, null));
      if (size != smallest) {
        figures.add(
            Figure.value(
                    "cluster",
                    "linearity " + rows(smallest) + " → " + rows(size),
                    "x",
                    wall.dividedBy(sample(runs.get(smallest), RunResult::wallSeconds)),
                    Target.atMost(32.0 / 30.0 * size / smallest))
                .withNote("as in end-to-end"));
      }
      figures.add(
          Figure.value(
                  "cluster",
                  rows + ", fixed cost",
                  "s",
                  sample(sized, RunResult::fixedCostSeconds),
                  null)
              .withNote("as in fixed-cost: spark-submit to the first Spark job, plus plan"));
      figures.add(
          Figure.value(
              "cluster",
              rows + ", seconds.read_reduce",
              "s",
              sample(sized, run -> run.seconds("read_reduce")),
              null));
      Sample write = sample(sized, RunResult::writeRowsPerSecond);
      List<Double> limit = hsetLoopRates.get(size);
      figures.add(
          limit == null
              ? Figure.value("cluster", rows + ", write, newer-only", "rows/s", write, null)
              : Figure.againstLimit(
                      "cluster",
                      rows + ", write, newer-only",
                      "rows/s",
                      write,
                      "pipelined HSET loop, " + threads(hsetLoopThreads.get(size)),
                      new Sample(limit),
                      Target.atLeast(0.6))
                  .withNote("the limit is the write section's, measured beside the local runs"));
      figures.add(
          Figure.value(
                  "cluster",
                  rows + ", driver peak RSS",
                  "MB",
                  sample(sized, run -> run.times().peakRssKb() / 1024.0),
                  null)
              .withNote("the spark-submit process (the driver); the executor is the worker's JVM"));
      List<RunResult> local = localRuns.get(size);
      if (local != null) {
        figures.add(
            Figure.againstLimit(
                    "cluster",
                    rows + ", wall against local mode",
                    "s",
                    wall,
                    "local mode",
                    sample(local, RunResult::wallSeconds),
                    null)
                .withNote(
                    "above 1: the cluster's cost (an executor JVM to start, no class-data"
                        + " sharing archive, tasks over the network) on the same 2 cores"));
      }
    }
  }

  private RunResult clusterRun(
      RedisServer redis, SparkCluster cluster, DataSet data, String label) {
    flush(redis);
    FeatureRepo repo =
        FeatureRepo.create(
            work.resolve("cluster-" + data.dir().getFileName() + "-" + label),
            data,
            FeatureRepo.redisStore(redis.port()));
    RunResult result =
        launcher.materializeOn(cluster, CLUSTER_EXECUTOR_MEMORY, repo, Mode.NEWER_ONLY);
    if (result.rowsWritten() != data.entities()) {
      throw new IllegalStateException(
          "The cluster run wrote " + result.rowsWritten() + " rows, expected " + data.entities());
    }
    checkKeys(redis, result.rowsWritten(), "the cluster run");
    TempDirs.delete(repo.dir());
    progress(
        "sluice on the standalone cluster, %,d rows: wall %.2f s, read_reduce %.2f s, write %.2f s",
        data.rows(), result.wallSeconds(), result.seconds("read_reduce"), result.seconds("write"));
    return result;
  }

  // ---- staging ----

  /** The staging section's data: the largest size up to 10M rows (else the smallest). */
  private static DataSet stagingData(Map<Long, DataSet> bySize) {
    DataSet chosen = bySize.values().iterator().next();
    for (DataSet data : bySize.values()) {
      if (data.rows() <= 10_000_000L) {
        chosen = data;
      }
    }
    return chosen;
  }

  private void staging(RedisServer redis, DataSet data) {
    String bucket = "bench";
    List<Double> none = new ArrayList<>();
    List<Double> file = new ArrayList<>();
    List<Double> s3a = new ArrayList<>();
    List<Double> resumed = new ArrayList<>();
    List<Double> rerun = new ArrayList<>();
    try (S3MockServer s3 = S3MockServer.start(bucket)) {
      String s3aConf =
          "  spark_conf:\n"
              + "    spark.hadoop.fs.s3a.endpoint: \""
              + s3.endpoint()
              + "\"\n"
              + "    spark.hadoop.fs.s3a.path.style.access: \"true\"\n"
              + "    spark.hadoop.fs.s3a.connection.ssl.enabled: \"false\"\n"
              + "    spark.hadoop.fs.s3a.access.key: \"bench\"\n"
              + "    spark.hadoop.fs.s3a.secret.key: \"bench\"\n"
              + "    spark.hadoop.fs.s3a.aws.credentials.provider:"
              + " \"org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider\"\n";
      for (int r = 0; r < options.repetitions(); r++) {
        String label = "staging-r" + r;
        Path fileStages = work.resolve(label + "-stages");
        List<Runnable> variants =
            List.of(
                () ->
                    none.add(redisRun(redis, data, Mode.NEWER_ONLY, label + "-none").wallSeconds()),
                () ->
                    file.add(
                        stagedRun(
                                redis,
                                data,
                                label + "-file",
                                "batch_engine:\n  type: spark.engine\n  staging_location: "
                                    + fileStages.toUri()
                                    + "\n")
                            .wallSeconds()),
                () ->
                    s3a.add(
                        stagedRun(
                                redis,
                                data,
                                label + "-s3a",
                                "batch_engine:\n  type: spark.engine\n  staging_location: s3a://"
                                    + bucket
                                    + "/"
                                    + label
                                    + "\n"
                                    + s3aConf)
                            .wallSeconds()),
                () -> {
                  // A kept stage, then the same window again: resumed from it, and read in full.
                  flush(redis);
                  FeatureRepo repo =
                      FeatureRepo.create(
                          work.resolve(label + "-resume"),
                          data,
                          FeatureRepo.redisStore(redis.port())
                              + "batch_engine:\n  type: spark.engine\n  staging_location: "
                              + work.resolve(label + "-kept").toUri()
                              + "\nsluice: {staging_keep: true}\n");
                  launcher.materialize(repo, Mode.NEWER_ONLY, Map.of());
                  flush(redis);
                  RunResult fromStage = launcher.materialize(repo, Mode.FORCE, List.of());
                  if (fromStage.report().path("staging").path("resumed_from").isMissingNode()
                      || fromStage.report().path("rows_read").asLong() != 0) {
                    throw new IllegalStateException(
                        "The rerun did not resume from the stage: " + fromStage.report());
                  }
                  checkKeys(redis, data.entities(), "the resumed run");
                  flush(redis);
                  RunResult full = launcher.materialize(repo, Mode.FORCE, List.of("--no-resume"));
                  checkKeys(redis, data.entities(), "the full rerun");
                  resumed.add(fromStage.wallSeconds());
                  rerun.add(full.wallSeconds());
                  progress(
                      "staging, %,d rows: resumed %.2f s, full rerun %.2f s",
                      data.rows(), fromStage.wallSeconds(), full.wallSeconds());
                  TempDirs.delete(repo.dir());
                  TempDirs.delete(work.resolve(label + "-kept"));
                });
        for (int i = 0; i < variants.size(); i++) {
          variants.get((i + r) % variants.size()).run();
        }
        TempDirs.delete(fileStages);
      }
    }
    String rows = rows(data.rows()) + " rows";
    Sample without = new Sample(none);
    figures.add(
        Figure.againstLimit(
                "staging",
                rows + ", file: staging",
                "s",
                new Sample(file),
                "no staging",
                without,
                null)
            .withNote("wall, newer-only; the stage on this machine's disk, deleted after success"));
    figures.add(
        Figure.againstLimit(
                "staging",
                rows + ", s3a:// staging (S3Mock)",
                "s",
                new Sample(s3a),
                "no staging",
                without,
                null)
            .withNote("wall, newer-only; S3Mock in its own JVM on the same 2 cores"));
    figures.add(
        Figure.againstLimit(
                "staging",
                rows + ", resumed from a stage",
                "s",
                new Sample(resumed),
                "full rerun (--no-resume)",
                new Sample(rerun),
                null)
            .withNote(
                "wall, --force into a flushed Redis; file: staging; the saving is the read and"
                    + " reduction"));
  }

  /** A newer-only run into a flushed Redis with {@code engineYaml} after the online store. */
  private RunResult stagedRun(RedisServer redis, DataSet data, String label, String engineYaml) {
    flush(redis);
    FeatureRepo repo =
        FeatureRepo.create(
            work.resolve(label), data, FeatureRepo.redisStore(redis.port()) + engineYaml);
    RunResult result = launcher.materialize(repo, Mode.NEWER_ONLY, Map.of());
    if (result.rowsWritten() != data.entities()) {
      throw new IllegalStateException(
          "The staged run wrote " + result.rowsWritten() + " rows, expected " + data.entities());
    }
    checkKeys(redis, result.rowsWritten(), "the staged run");
    progress(
        "sluice with staging (%s), %,d rows: wall %.2f s, read_reduce %.2f s, stage %.2f s, write"
            + " %.2f s",
        label,
        data.rows(),
        result.wallSeconds(),
        result.seconds("read_reduce"),
        result.seconds("stage"),
        result.seconds("write"));
    TempDirs.delete(repo.dir());
    return result;
  }

  // ---- width ----

  private void widths(RedisServer redis, Map<Integer, DataSet> byWidth) {
    for (DataSet data : byWidth.values()) {
      List<Double> sluice = new ArrayList<>();
      List<Double> limit = new ArrayList<>();
      RedisHashDump[] dump = new RedisHashDump[1];
      int[] threads = new int[1];
      for (int r = 0; r < options.repetitions(); r++) {
        String label = "r" + r;
        List<Runnable> variants =
            List.of(
                () -> {
                  RunResult result = redisRun(redis, data, Mode.NEWER_ONLY, label);
                  sluice.add(result.writeRowsPerSecond());
                  if (dump[0] == null) {
                    dump[0] = RedisHashDump.read(redis.port());
                    threads[0] = Math.max(1, Math.min(cores, result.partitions()));
                  }
                },
                () -> {
                  flush(redis);
                  double rate = dump[0].timeHsetLoop(redis.port(), threads[0], WRITE_BATCH);
                  checkKeys(redis, dump[0].size(), "the HSET loop");
                  limit.add(rate);
                  progress(
                      "HSET loop, %s, %d features: %,.0f rows/s",
                      threads(threads[0]), data.features(), rate);
                });
        for (int i = 0; i < variants.size(); i++) {
          variants.get((i + r) % variants.size()).run();
        }
      }
      dump[0] = null;
      Figure figure =
          Figure.againstLimit(
                  "width",
                  data.features() + " features",
                  "rows/s",
                  new Sample(sluice),
                  "pipelined HSET loop, " + threads(threads[0]),
                  new Sample(limit),
                  Target.atLeast(0.6))
              .withNote(
                  String.format(
                      Locale.ROOT,
                      "%,d entities, one row each, newer-only; the target is newer-only's",
                      data.entities()));
      figures.add(figure);
      widthSluice.add(data.features(), figure.value().median());
      widthLimit.add(data.features(), figure.limit().median());
    }
  }

  // ---- DynamoDB and SQLite ----

  private void dynamoDb(DataSet data) {
    List<Double> sluice = new ArrayList<>();
    List<Double> limit = new ArrayList<>();
    for (int r = 0; r < options.repetitions(); r++) {
      try (DynaliteServer dynalite = DynaliteServer.start();
          var client = StoreLimits.dynamoDb(dynalite.endpointUrl())) {
        FeatureRepo repo =
            FeatureRepo.create(
                work.resolve("dynamodb-r" + r),
                data,
                FeatureRepo.dynamoDbStore(dynalite.endpointUrl()));
        RunResult result =
            launcher.materialize(
                repo,
                Mode.NEWER_ONLY,
                Map.of(
                    "AWS_ACCESS_KEY_ID", "bench",
                    "AWS_SECRET_ACCESS_KEY", "bench",
                    "AWS_REGION", "us-east-1",
                    "AWS_EC2_METADATA_DISABLED", "true"));
        sluice.add(result.writeRowsPerSecond());
        double rate =
            StoreLimits.dynamoDbBatchWriteLoop(
                client, FeatureRepo.PROJECT + "." + FeatureRepo.VIEW, "limit." + FeatureRepo.VIEW);
        limit.add(rate);
        progress(
            "DynamoDB: sluice %,.0f rows/s, BatchWriteItem loop %,.0f rows/s",
            result.writeRowsPerSecond(), rate);
        TempDirs.delete(repo.dir());
      }
    }
    figures.add(
        Figure.againstLimit(
                "stores",
                "DynamoDB (dynalite), " + rows(data.rows()) + " rows, newer-only",
                "rows/s",
                new Sample(sluice),
                "BatchWriteItem loop, 1 thread",
                new Sample(limit),
                null)
            .withNote(
                String.format(
                    Locale.ROOT,
                    "%,d entities; the limit replays the run's items into a new table on the same"
                        + " server; no target: compare runs to see a regression",
                    data.entities())));
  }

  private void sqlite(DataSet data) {
    List<Double> sluice = new ArrayList<>();
    List<Double> limit = new ArrayList<>();
    for (int r = 0; r < options.repetitions(); r++) {
      Path dir = work.resolve("sqlite-r" + r);
      Path online = dir.resolve("online.db");
      FeatureRepo repo = FeatureRepo.create(dir, data, FeatureRepo.sqliteStore(online));
      RunResult result = launcher.materialize(repo, Mode.NEWER_ONLY, Map.of());
      sluice.add(result.writeRowsPerSecond());
      double rate = StoreLimits.sqliteBatchInsert(online, dir.resolve("limit.db"));
      limit.add(rate);
      progress(
          "SQLite: sluice %,.0f rows/s, JDBC batch insert %,.0f rows/s",
          result.writeRowsPerSecond(), rate);
      TempDirs.delete(dir);
    }
    figures.add(
        Figure.againstLimit(
                "stores",
                "SQLite, " + rows(data.rows()) + " rows, newer-only",
                "rows/s",
                new Sample(sluice),
                "JDBC batch insert, 1 thread",
                new Sample(limit),
                null)
            .withNote(
                String.format(
                    Locale.ROOT,
                    "%,d entities; the limit inserts the run's rows into the same table layout in a"
                        + " new file (WAL), one transaction per 1000 entities, no newer-only check;"
                        + " no target: compare runs to see a regression",
                    data.entities())));
  }

  // ---- the Feast peer ----

  private void feast(RedisServer redis, DataSet data) {
    java.util.Optional<Path> feast = FeastPeer.find();
    if (feast.isEmpty()) {
      String line = "feast: skipped, no `feast` command on the PATH (pip install feast[redis])";
      skipped.add(line);
      System.out.println(line);
      return;
    }
    List<Double> sluice = new ArrayList<>();
    List<Double> peer = new ArrayList<>();
    for (int r = 0; r < options.repetitions(); r++) {
      String label = "feast-r" + r;
      List<DoubleSupplier> variants =
          List.of(
              () -> {
                RunResult result = redisRun(redis, data, Mode.NEWER_ONLY, label);
                sluice.add(result.wallSeconds());
                return 0;
              },
              () -> {
                flush(redis);
                double seconds =
                    FeastPeer.materialize(feast.get(), work.resolve(label), data, redis.port());
                peer.add(seconds);
                progress("feast materialize, %,d rows: %.2f s", data.rows(), seconds);
                return 0;
              });
      for (int i = 0; i < variants.size(); i++) {
        variants.get((i + r) % variants.size()).getAsDouble();
      }
    }
    figures.add(
        Figure.againstLimit(
                "feast",
                rows(data.rows()) + " rows into Redis, wall",
                "s",
                new Sample(sluice),
                "feast materialize",
                new Sample(peer),
                null)
            .withNote("a peer, not a limit: below 1 means Sluice took less time"));
  }

  // ---- helpers ----

  /** Figures grouped by section in report order, each section's figures in measured order. */
  static List<Figure> inSectionOrder(List<Figure> figures) {
    List<Figure> sorted = new ArrayList<>(figures);
    sorted.sort(
        java.util.Comparator.comparingInt(f -> BenchmarkOptions.SECTIONS.indexOf(f.section())));
    return sorted;
  }

  private static String threads(int count) {
    return count + (count == 1 ? " thread" : " threads");
  }

  private static void flush(RedisServer redis) {
    try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
      jedis.flushAll();
    }
  }

  private static void checkKeys(RedisServer redis, long expected, String what) {
    try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
      long keys = jedis.dbSize();
      if (keys != expected) {
        throw new IllegalStateException(
            "After " + what + " Redis holds " + keys + " keys, expected " + expected);
      }
    }
  }

  private static Sample sample(
      List<RunResult> runs, java.util.function.ToDoubleFunction<RunResult> figure) {
    return new Sample(runs.stream().map(run -> figure.applyAsDouble(run)).toList());
  }

  /** 1M, 10M, 200k, 1,500. */
  static String rows(long count) {
    if (count >= 1_000_000 && count % 1_000_000 == 0) {
      return count / 1_000_000 + "M";
    }
    if (count >= 1_000 && count % 1_000 == 0) {
      return count / 1_000 + "k";
    }
    return String.format(Locale.ROOT, "%,d", count);
  }

  private static void progress(String format, Object... arguments) {
    System.out.println(
        Instant.now().truncatedTo(ChronoUnit.SECONDS)
            + " "
            + String.format(Locale.ROOT, format, arguments));
  }
}
