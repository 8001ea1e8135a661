package io.sluice.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.cli.SluiceMain;
import io.sluice.testing.PostgresServer;
import io.sluice.testing.RedisServer;
import io.sluice.testing.SparkCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;

/**
 * {@code submit/bin/sluice materialize} as an operator runs it on a Spark standalone cluster: a
 * master and two workers (one core each), every one its own JVM, executors started by the workers
 * in JVMs of their own, a PostgreSQL registry and a real redis-server. In client mode the driver is
 * the submitted process; in cluster mode a worker runs it, so its outcome is read from the
 * registry, Redis and the driver's folder on the worker. The last test kills a worker with its
 * executor in the middle of a run's write. Needs the application jar that {@code mvn verify}
 * packages in submit/ before this module runs.
 */
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkClusterDeployTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Instant DAY1 = Instant.parse("2024-05-01T00:00:00Z");
  private static final Instant DAY2 = Instant.parse("2024-05-02T00:00:00Z");
  private static final Instant DAY3 = Instant.parse("2024-05-03T00:00:00Z");
  private static final int DRIVERS = 1000;

  /** Entities of the run that loses a worker: enough that writing them takes a few seconds. */
  private static final int MANY_DRIVERS = 100_000;

  private static final String PROJECT = "deploy";
  private static final String JAVA17_FLAG = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static RedisServer redis;
  private static PostgresServer postgres;
  private static JedisPooled jedis;
  private static SparkCluster cluster;
  private static Path config;
  private static List<Row> rows;
  private static RedisServer failoverRedis;
  private static JedisPooled failoverJedis;
  private static Path failoverConfig;
  private static List<Row> manyRows;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    postgres = PostgresServer.start();
    jedis = new JedisPooled("127.0.0.1", redis.port());
    cluster = SparkCluster.start(dir.resolve("cluster"), 2, 1, "2g");
    failoverRedis = RedisServer.start();
    failoverJedis = new JedisPooled("127.0.0.1", failoverRedis.port());
    rows = generate(DRIVERS, 6);
    manyRows = generate(MANY_DRIVERS, 24);
    writeSources();
    config = dir.resolve("feature_store.yaml");
    Files.writeString(config, featureStore(redis, 4, 200));
    // Its own Redis, so what is in it shows how far the write got; many small write batches.
    failoverConfig = dir.resolve("failover_store.yaml");
    Files.writeString(failoverConfig, featureStore(failoverRedis, 8, 20));
    // One view per test, on the same source: each has its own fields in the entities' hashes and
    // its own intervals, so the tests do not depend on each other's order.
    StringBuilder definitions =
        new StringBuilder(
            """
            entities:
              - {name: driver, join_key: driver_id, value_type: INT64}
            data_sources:
              - {name: stats, type: file, path: stats.parquet, timestamp_field: event_timestamp}
              - {name: many, type: file, path: many.parquet, timestamp_field: event_timestamp}
            feature_views:
            """);
    for (String view : List.of("client_stats", "cluster_stats", "failover_stats")) {
      definitions.append(
          """
            - name: %s
              entities: [driver]
              source: %s
              ttl: 1d
              features:
                - {name: conv_rate, dtype: FLOAT}
                - {name: trips, dtype: INT64}
          """
              .formatted(view, view.equals("failover_stats") ? "many" : "stats"));
    }
    Path definitionsFile = dir.resolve("definitions.yaml");
    Files.writeString(definitionsFile, definitions.toString());
    assertThat(inProcess("apply", "--definitions", definitionsFile.toString()).get("exit_code"))
        .hasToString("0");
  }

  private static String featureStore(RedisServer store, int partitions, int writeBatch) {
    return "project: "
        + PROJECT
        + "\nregistry:\n  registry_type: sql\n  path: postgresql://"
        + postgres.user()
        + ":"
        + URLEncoder.encode(postgres.password(), UTF_8)
        + "@127.0.0.1:"
        + postgres.port()
        + "/"
        + postgres.database()
        + "\n"
        + "online_store:\n  type: redis\n  connection_string: 127.0.0.1:"
        + store.port()
        + "\n"
        + "batch_engine:\n  type: spark.engine\n  partitions: "
        + partitions
        + "\n"
        + "materialization:\n  online_write_batch_size: "
        + writeBatch
        + "\n";
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (jedis != null) {
      jedis.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (failoverJedis != null) {
      failoverJedis.close();
    }
    if (failoverRedis != null) {
      failoverRedis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void clientModeRunsTheDriverHereAndTheTasksOnBothWorkers() throws Exception {
    Result result =
        sluice(
            "--master " + cluster.masterUrl() + " --executor-memory 1g",
            "materialize",
            "--config",
            config.toString(),
            "--feature-view",
            "client_stats",
            "--start",
            DAY1.toString(),
            "--end",
            DAY2.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    JsonNode report = result.report();
    assertThat(report.get("status").asText()).as(report.toString()).isEqualTo("SUCCEEDED");
    assertThat(report.get("rows_written").asLong()).isEqualTo(DRIVERS);
    assertStoreHoldsLatest(jedis, "client_stats", rows, DAY1, DAY2);
    assertIntervals("client_stats", DAY1, DAY2);

    JsonNode run = latestRun("client_stats");
    assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
    String application = run.get("spark_application_id").asText();
    assertThat(application).as("a standalone application, not local mode").startsWith("app-");
    // Spark spreads an application's executors over the workers: one on each.
    for (int worker = 0; worker < cluster.workerCount(); worker++) {
      assertThat(cluster.workDir(worker).resolve(application))
          .as("an executor of %s on worker %s", application, worker)
          .isDirectory();
    }
  }

  @Test
  void clusterModeRunsTheDriverOnAWorkerWithTheJava17Flags() throws Exception {
    Result result =
        sluice(
            clusterModeArguments(),
            "materialize",
            "--config",
            config.toString(),
            "--feature-view",
            "cluster_stats",
            "--start",
            DAY1.toString(),
            "--end",
            DAY3.toString());

    // Only whether the submission went through reaches the submitter.
    assertThat(result.exit()).as(result.err()).isZero();
    JsonNode run = latestRun("cluster_stats");
    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
    assertThat(run.get("start").asText()).isEqualTo(DAY1.toString());
    assertThat(run.get("end").asText()).isEqualTo(DAY3.toString());
    assertThat(run.get("rows_written").asLong()).isEqualTo(DRIVERS);
    assertThat(run.get("spark_application_id").asText()).startsWith("app-");
    assertStoreHoldsLatest(jedis, "cluster_stats", rows, DAY1, DAY3);
    assertIntervals("cluster_stats", DAY1, DAY3);

    // The driver's folder on its worker: the report on its stdout, and Sluice's Java 17 flags on
    // the command the worker started it with.
    Path driver = driverFolder("cluster_stats", "SUCCEEDED");
    assertThat(Files.readString(driver.resolve("stderr")))
        .contains("DriverWrapper")
        .as("the flags as options of the driver's JVM, not only inside a property")
        .contains("\"" + JAVA17_FLAG + "\"");
  }

  @Test
  void aDriverThatFailsInClusterModeStillLetsSparkSubmitExitWith0() throws Exception {
    Result result =
        sluice(
            clusterModeArguments(),
            "materialize",
            "--config",
            config.toString(),
            "--feature-view",
            "no_such_view",
            "--start",
            DAY1.toString(),
            "--end",
            DAY2.toString());

    assertThat(result.exit()).as(result.err()).isZero();
    // spark-submit waited for the driver, logged its state, and exited 0 all the same.
    assertThat(result.err()).containsPattern("State of driver driver-\\S+ is FAILED, exiting");
    Path driver = driverFolder("no_such_view", "FAILED");
    JsonNode report = lastLine(Files.readString(driver.resolve("stdout")));
    assertThat(report.get("exit_code").asInt()).isEqualTo(2);
    assertThat(report.get("error").asText()).contains("no_such_view");
  }

  /**
   * Runs last: it leaves the cluster with one worker. The worker's JVM and its executor are killed
   * (SIGKILL, as when a machine dies) once the run is recorded as RUNNING and its first keys are in
   * Redis; Spark runs the lost tasks again on the other worker's executor, and the run ends as if
   * nothing happened.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void losingAWorkerMidWriteRerunsItsTasksOnTheOtherWorker() throws Exception {
    Path eventLog = Files.createDirectories(dir.resolve("event-log"));
    Submission submission =
        Submission.start(
            "--master "
                + cluster.masterUrl()
                + " --executor-memory 1g --conf spark.eventLog.enabled=true"
                + " --conf spark.eventLog.dir=file:"
                + eventLog,
            "materialize",
            "--config",
            failoverConfig.toString(),
            "--feature-view",
            "failover_stats",
            "--start",
            DAY1.toString(),
            "--end",
            DAY3.toString());

    String application = awaitWriting(submission);
    // Hold every write (scripts included) while the worker dies, so it dies mid-write however fast
    // the machine: Redis's own CLIENT PAUSE, lifted right after the kill.
    failoverJedis.sendCommand(Protocol.Command.CLIENT, "PAUSE", "120000", "WRITE");
    int lost = 1;
    List<String> lostExecutors;
    try (Stream<Path> executors = Files.list(cluster.workDir(lost).resolve(application))) {
      lostExecutors = executors.map(executor -> executor.getFileName().toString()).toList();
    }
    assertThat(lostExecutors).as("the executor on worker %s", lost).hasSize(1);
    long keysBefore = failoverJedis.dbSize();
    try {
      cluster.killWorker(lost);
    } finally {
      failoverJedis.sendCommand(Protocol.Command.CLIENT, "UNPAUSE");
    }
    assertThat(cluster.isWorkerAlive(lost)).isFalse();

    Result result = submission.finish();
    assertThat(result.exit()).as(result.err()).isZero();
    JsonNode report = result.report();
    assertThat(report.get("status").asText()).as(report.toString()).isEqualTo("SUCCEEDED");
    assertThat(keysBefore)
        .as("killed mid-write: some keys, not all (report: %s)", report)
        .isBetween(1L, MANY_DRIVERS - 1L);
    // A key the lost executor wrote before it died is skipped when its task runs again.
    assertThat(report.get("rows_written").asLong() + report.get("rows_skipped_not_newer").asLong())
        .isEqualTo(MANY_DRIVERS);
    assertThat(failoverJedis.dbSize()).isEqualTo(MANY_DRIVERS);
    assertStoreHoldsLatest(failoverJedis, "failover_stats", manyRows, DAY1, DAY3);
    assertIntervals("failover_stats", DAY1, DAY3);
    assertThat(latestRun("failover_stats").get("status").asText()).isEqualTo("SUCCEEDED");

    // Spark's event log: tasks failed with the lost executor, and each of them then succeeded on
    // the surviving one.
    List<JsonNode> events = new ArrayList<>();
    try (Stream<Path> logs = Files.list(eventLog)) {
      for (Path log : logs.toList()) {
        for (String line : Files.readAllLines(log)) {
          events.add(JSON.readTree(line));
        }
      }
    }
    String lostExecutor = lostExecutors.get(0);
    assertThat(events)
        .as("the lost executor removed")
        .anyMatch(
            event ->
                event.path("Event").asText().equals("SparkListenerExecutorRemoved")
                    && event.path("Executor ID").asText().equals(lostExecutor));
    List<String> failedTasks = new ArrayList<>();
    java.util.Set<String> succeededElsewhere = new java.util.HashSet<>();
    for (JsonNode event : events) {
      if (!event.path("Event").asText().equals("SparkListenerTaskEnd")) {
        continue;
      }
      String task =
          event.path("Stage ID").asText() + "." + event.path("Task Info").path("Index").asText();
      String executor = event.path("Task Info").path("Executor ID").asText();
      String reason = event.path("Task End Reason").path("Reason").asText();
      if (executor.equals(lostExecutor) && !reason.equals("Success")) {
        failedTasks.add(task);
      } else if (!executor.equals(lostExecutor) && reason.equals("Success")) {
        succeededElsewhere.add(task);
      }
    }
    assertThat(failedTasks).as("tasks lost with the executor").isNotEmpty();
    assertThat(succeededElsewhere).containsAll(failedTasks);
  }

  /**
   * Waits until the run is recorded as RUNNING and has written its first keys; returns its Spark
   * application id.
   */
  private static String awaitWriting(Submission submission) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (System.nanoTime() < deadline) {
      if (!submission.process().isAlive()) {
        Result early = submission.finish();
        throw new AssertionError(
            "sluice exited with " + early.exit() + " before writing: " + early.out() + early.err());
      }
      if (failoverJedis.dbSize() > 0) {
        JsonNode runs =
            inProcess("runs", "--feature-view", "failover_stats", "--limit", "1", "--json")
                .get("runs");
        if (!runs.isEmpty() && runs.get(0).get("status").asText().equals("RUNNING")) {
          return runs.get(0).get("spark_application_id").asText();
        }
      }
      Thread.sleep(20);
    }
    submission.process().destroyForcibly();
    throw new AssertionError("The run wrote nothing to Redis in 4 minutes");
  }

  private static String clusterModeArguments() {
    return "--master "
        + cluster.masterUrl()
        + " --deploy-mode cluster --conf spark.standalone.submit.waitAppCompletion=true"
        + " --driver-memory 1g --executor-memory 1g";
  }

  private record Result(int exit, String out, String err) {
    JsonNode report() {
      try {
        return lastLine(out);
      } catch (Exception e) {
        throw new AssertionError("stdout: " + out + "\nstderr: " + err, e);
      }
    }
  }

  /** Runs {@code submit/bin/sluice} through the cluster's spark-submit. */
  private static Result sluice(String submitArguments, String... arguments) throws Exception {
    return Submission.start(submitArguments, arguments).finish();
  }

  /** A running {@code submit/bin/sluice}, its output going to files. */
  private record Submission(Process process, Path out, Path err) {
    static Submission start(String submitArguments, String... arguments) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(ROOT.resolve("submit/bin/sluice").toString());
      command.addAll(List.of(arguments));
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
      Map<String, String> environment = builder.environment();
      environment.put("SPARK_HOME", cluster.sparkHome().toString());
      environment.put("SLUICE_SUBMIT_ARGS", submitArguments + " --conf spark.ui.enabled=false");
      Path out = Files.createTempFile(dir, "sluice", ".out");
      Path err = Files.createTempFile(dir, "sluice", ".err");
      Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      process.getOutputStream().close();
      return new Submission(process, out, err);
    }

    Result finish() throws Exception {
      if (!process.waitFor(8, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("sluice did not finish in 8 minutes: " + Files.readString(err));
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
  }

  /**
   * The folder of the cluster-mode driver whose report (the last line of its stdout) is about
   * {@code view} with {@code status}, on whichever worker ran it.
   */
  private static Path driverFolder(String view, String status) throws IOException {
    List<Path> drivers = new ArrayList<>();
    for (int worker = 0; worker < cluster.workerCount(); worker++) {
      try (Stream<Path> files = Files.list(cluster.workDir(worker))) {
        files
            .filter(file -> file.getFileName().toString().startsWith("driver-"))
            .forEach(drivers::add);
      }
    }
    for (Path driver : drivers) {
      Path stdout = driver.resolve("stdout");
      if (!Files.isRegularFile(stdout) || Files.readString(stdout).isBlank()) {
        continue;
      }
      JsonNode report;
      try {
        report = lastLine(Files.readString(stdout));
      } catch (IOException e) {
        continue; // not a report: a driver that failed before printing one
      }
      if (report.path("feature_view").asText().equals(view)
          && report.path("status").asText().equals(status)) {
        return driver;
      }
    }
    throw new AssertionError("No driver of " + view + " with status " + status + " in " + drivers);
  }

  private static JsonNode latestRun(String view) {
    JsonNode runs = inProcess("runs", "--feature-view", view, "--limit", "1", "--json").get("runs");
    assertThat(runs).as("a run of %s", view).hasSize(1);
    return runs.get(0);
  }

  private static void assertIntervals(String view, Instant start, Instant end) {
    assertThat(inProcess("intervals", "--feature-view", view).get("intervals").toString())
        .isEqualTo("[{\"start\":\"" + start + "\",\"end\":\"" + end + "\"}]");
  }

  private static void assertStoreHoldsLatest(
      JedisPooled store, String view, List<Row> data, Instant start, Instant end) {
    DriverStatsInRedis.assertHoldsLatest(store, PROJECT, view, data, start, end);
  }

  /** Every driver every {@code hours} over two days, at a random moment in each period. */
  private static List<Row> generate(int drivers, int hours) {
    Random random = new Random(17);
    List<Row> generated = new ArrayList<>();
    for (long driver = 0; driver < drivers; driver++) {
      for (Instant t = DAY1; t.isBefore(DAY3); t = t.plusSeconds(hours * 3600L)) {
        generated.add(
            RowFactory.create(
                driver,
                t.plusMillis(random.nextInt(hours * 3600_000)),
                random.nextDouble(),
                random.nextInt(500)));
      }
    }
    return generated;
  }

  /** Writes the sources as Parquet with a local Spark session, stopped again before the tests. */
  private static void writeSources() {
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.datetime.java8API.enabled", "true")
            .getOrCreate();
    try {
      StructType schema =
          new StructType()
              .add("driver_id", DataTypes.LongType)
              .add("event_timestamp", DataTypes.TimestampType)
              .add("conv_rate", DataTypes.DoubleType)
              .add("trips", DataTypes.IntegerType);
      spark
          .createDataFrame(rows, schema)
          .repartition(4)
          .write()
          .parquet(dir.resolve("stats.parquet").toString());
      spark
          .createDataFrame(manyRows, schema)
          .repartition(8)
          .write()
          .parquet(dir.resolve("many.parquet").toString());
    } finally {
      spark.stop();
    }
  }

  /** A registry command run in this JVM (no Spark): its JSON report. */
  private static JsonNode inProcess(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--config");
    all.add(2, config.toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        SluiceMain.execute(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    try {
      JsonNode last = lastLine(out.toString());
      assertThat(last.get("exit_code").asInt()).as(err.toString()).isEqualTo(exit);
      return last;
    } catch (Exception e) {
      throw new AssertionError("stdout: " + out + "\nstderr: " + err, e);
    }
  }

  private static JsonNode lastLine(String text) throws IOException {
    String[] lines = text.strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }
}
