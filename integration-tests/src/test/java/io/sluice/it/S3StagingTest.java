package io.sluice.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import feast.proto.types.ValueProto.Value;
import io.sluice.engine.cli.SluiceMain;
import io.sluice.registry.MaterializationRun;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.RunPhase;
import io.sluice.registry.RunStatus;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import io.sluice.testing.RedisServer;
import io.sluice.testing.S3MockServer;
import io.sluice.testing.S3ProxyServer;
import io.sluice.testing.TcpProxy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/**
 * Staging on S3 end to end, against real servers: S3Mock (its own JVM) holds the source in bucket
 * {@code offline} and the stages in bucket {@code staging}, read and written through Hadoop S3A;
 * the online store is a real redis-server, in the fault test behind a {@link TcpProxy} that takes
 * it down part way through the write. Commands run in this JVM through {@link SluiceMain}, on the
 * test's Spark session.
 *
 * <p>Nothing here checks values through the engine: the expected rows are the latest per entity
 * computed with plain Spark SQL (a window function) from the source files, Redis is decoded from
 * Feast's byte layout, and the stage is read as Parquet through S3A and listed through Hadoop's
 * {@link FileSystem}.
 */
@Timeout(600)
class S3StagingTest {
  private static final Instant DAY1 = Instant.parse("2024-05-01T00:00:00Z");
  private static final Instant DAY2 = Instant.parse("2024-05-02T00:00:00Z");
  private static final String WINDOW_FOLDER = "20240501T000000Z_20240502T000000Z";
  private static final String VIEW = "driver_stats";
  private static final int ENTITIES = 4000;

  /** The S3A secret key: distinctive, so that finding it in a report means it leaked. */
  private static final String SECRET = "it-S3a-Secret-9Kq7Wz";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The buckets this class uses through S3A, the missing one included. */
  private static final String[] BUCKETS = {"offline", "staging", "no-such-bucket", "guarded"};

  private static final String WRONG_SECRET = "it-Wrong-Secret-4Hc2Rx";
  private static S3ProxyServer s3proxy;

  private static S3MockServer s3;
  private static RedisServer redis;
  private static JedisPooled jedis;
  private static SparkSession spark;

  /** A source no test changes, and its latest rows of the window. */
  private static final String SHARED_SOURCE = "s3a://offline/shared/driver_stats";

  private static Map<Long, Latest> sharedExpected;

  @TempDir Path dir;

  private static Map<String, String> s3a() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.hadoop.fs.s3a.endpoint", s3.endpoint());
    settings.put("spark.hadoop.fs.s3a.path.style.access", "true");
    settings.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
    settings.put("spark.hadoop.fs.s3a.access.key", "it-access");
    settings.put("spark.hadoop.fs.s3a.secret.key", SECRET);
    settings.put(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    // Bucket "guarded" lives on S3Proxy, which checks signatures: these keys are wrong there.
    settings.put("spark.hadoop.fs.s3a.bucket.guarded.endpoint", s3proxy.endpoint());
    settings.put("spark.hadoop.fs.s3a.bucket.guarded.access.key", S3ProxyServer.ACCESS_KEY);
    settings.put("spark.hadoop.fs.s3a.bucket.guarded.secret.key", WRONG_SECRET);
    return settings;
  }

  @BeforeAll
  @Timeout(300)
  static void start() {
    s3 = S3MockServer.start("offline", "staging");
    s3proxy = S3ProxyServer.start("guarded");
    redis = RedisServer.start();
    jedis = new JedisPooled("127.0.0.1", redis.port());
    SparkSession.Builder builder =
        SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.datetime.java8API.enabled", "true");
    s3a().forEach(builder::config);
    spark = builder.getOrCreate();
    S3aFileSystems.forget(spark.sparkContext().hadoopConfiguration(), BUCKETS);
    writeSource(SHARED_SOURCE);
    sharedExpected = expectedLatest(SHARED_SOURCE);
    assertThat(sharedExpected).hasSize(ENTITIES);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      S3aFileSystems.forget(spark.sparkContext().hadoopConfiguration(), BUCKETS);
      spark.stop();
    }
    if (jedis != null) {
      jedis.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (s3proxy != null) {
      s3proxy.close();
    }
  }

  @BeforeEach
  void emptyRedis() {
    jedis.flushAll();
  }

  // ---- the tests ----

  @Test
  void aKeptStageOnS3HoldsOneRowPerEntityEqualToTheLatestRowsAndToRedis() throws Exception {
    Repo repo =
        repo(
            "kept", SHARED_SOURCE, "s3a://staging/kept", redis.hostAndPort(), "staging_keep: true");
    Result result = repo.materialize();
    assertThat(result.exit()).as(result.toString()).isZero();
    JsonNode report = result.report();
    String runId = report.get("run_id").asText();
    assertThat(report.get("rows_read").asLong()).isEqualTo(rowsInWindow(SHARED_SOURCE));
    assertThat(report.get("entities").asLong()).isEqualTo(ENTITIES);
    assertThat(report.get("rows_written").asLong()).isEqualTo(ENTITIES);
    String stage = report.get("staging").get("stage").asText();
    assertThat(stage)
        .isEqualTo("s3a://staging/kept/kept/" + VIEW + "/" + WINDOW_FOLDER + "/" + runId);
    assertThat(report.get("staging").get("kept").asBoolean()).isTrue();

    FileSystem fs = fileSystem(stage);
    org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(stage);
    assertThat(fs.exists(new org.apache.hadoop.fs.Path(folder, "_SLUICE_STAGED"))).isTrue();
    JsonNode manifest;
    try (var in = fs.open(new org.apache.hadoop.fs.Path(folder, "_sluice_manifest.json"))) {
      manifest = JSON.readTree(in);
    }
    assertThat(manifest.get("rows").asLong()).isEqualTo(ENTITIES);
    assertThat(manifest.get("run_id").asText()).isEqualTo(runId);
    assertThat(manifest.get("source").get("file_count").asLong())
        .isEqualTo(parquetFiles(SHARED_SOURCE).size());
    assertThat(manifest.get("files").size()).isEqualTo(parquetFiles(stage).size());

    // The stage, read back through S3A: one row per entity, each the entity's latest row.
    List<Row> staged = spark.read().parquet(stage).collectAsList();
    Map<Long, Latest> stagedLatest = new HashMap<>();
    for (Row row : staged) {
      stagedLatest.put(
          row.getLong(row.fieldIndex("driver_id")),
          new Latest(
              (Instant) row.get(row.fieldIndex("__sluice_event_ts")),
              row.getDouble(row.fieldIndex("conv_rate")),
              row.getLong(row.fieldIndex("trips"))));
    }
    assertThat(staged).hasSize(ENTITIES);
    assertThat(differences(sharedExpected, stagedLatest)).isEmpty();
    // And Redis holds the same rows.
    assertThat(jedis.dbSize()).isEqualTo(ENTITIES);
    assertThat(differences(sharedExpected, stored("kept"))).isEmpty();

    MaterializationRun run = repo.run(runId);
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.phase()).isEqualTo(RunPhase.STAGED);
    assertThat(run.stage()).isEqualTo(stage);
  }

  @Test
  void withoutKeepASucceededRunDeletesItsStageFromS3() throws Exception {
    Repo repo = repo("dropped", SHARED_SOURCE, "s3a://staging/dropped", redis.hostAndPort(), null);
    Result result = repo.materialize();
    assertThat(result.exit()).as(result.toString()).isZero();
    JsonNode report = result.report();
    String runId = report.get("run_id").asText();
    String stage = report.get("staging").get("stage").asText();
    assertThat(stage)
        .isEqualTo("s3a://staging/dropped/dropped/" + VIEW + "/" + WINDOW_FOLDER + "/" + runId);
    assertThat(report.get("staging").get("kept").asBoolean()).isFalse();
    // It did stage there (the run row says so) ...
    MaterializationRun run = repo.run(runId);
    assertThat(run.phase()).isEqualTo(RunPhase.STAGED);
    assertThat(run.stage()).isEqualTo(stage);
    assertThat(differences(sharedExpected, stored("dropped"))).isEmpty();

    // ... and nothing is left under the view's folder: no stage, no window folder, no file.
    String viewFolder = "s3a://staging/dropped/dropped/" + VIEW;
    FileSystem fs = fileSystem(viewFolder);
    assertThat(fs.exists(new org.apache.hadoop.fs.Path(stage))).isFalse();
    assertThat(fs.exists(new org.apache.hadoop.fs.Path(viewFolder + "/" + WINDOW_FOLDER)))
        .isFalse();
    assertThat(listRecursively(viewFolder)).isEmpty();
  }

  /**
   * How many client bytes the proxy lets through before Redis goes down in the fault test. A full
   * write of the {@value #ENTITIES} entities in batches of 50 sends about 525 kB through the proxy
   * (about 130 bytes per entity, measured); the limit cuts it a little before half way (about 1,900
   * entities written), well past the connection's set-up and well before its end. The test checks
   * that the cut came part way.
   */
  private static final long CUT_AFTER_BYTES = 250_000;

  @Test
  void aWriteCutPartWayByRedisGoingDownResumesFromTheS3StageWithoutTheSource() throws Exception {
    String source = "s3a://offline/resumed/driver_stats";
    writeSource(source);
    Map<Long, Latest> expected = expectedLatest(source);
    try (TcpProxy proxy = TcpProxy.start(redis.port())) {
      // A retry budget of 1 s, small batches, and one write partition: one writer, so the cut and
      // the counts below are exact, and no second task can still be writing once the job failed.
      Repo repo =
          repo(
              "resumed",
              source,
              "s3a://staging/resumed",
              proxy.hostAndPort(),
              "write_retry_seconds: 1",
              "materialization: {online_write_batch_size: 50}\n",
              "  partitions: 1\n");
      proxy.failAfterBytes(CUT_AFTER_BYTES);

      Result failed = repo.materialize();
      assertThat(failed.exit()).as(failed.toString()).isEqualTo(4);
      assertThat(failed.report().get("status").asText()).isEqualTo("FAILED");
      assertThat(proxy.isDown()).isTrue();
      // The writer tried again while the store was down, and gave up.
      assertThat(proxy.connectionsRefused()).as(failed.toString()).isPositive();
      assertThat(failed.report().get("store_retries").asLong()).isPositive();
      String runId = failed.report().get("run_id").asText();
      MaterializationRun failedRun = repo.run(runId);
      assertThat(failedRun.status()).isEqualTo(RunStatus.FAILED);
      assertThat(failedRun.phase()).isEqualTo(RunPhase.STAGED);
      String stage = failedRun.stage();
      assertThat(stage)
          .isEqualTo("s3a://staging/resumed/resumed/" + VIEW + "/" + WINDOW_FOLDER + "/" + runId);
      assertThat(fileSystem(stage).exists(new org.apache.hadoop.fs.Path(stage, "_SLUICE_STAGED")))
          .isTrue();
      assertThat(repo.intervals()).isEmpty();
      assertThat(repo.command("intervals", "--feature-view", VIEW).report().get("intervals"))
          .isEmpty();
      // Part way: some entities are in Redis, with their right values, and not all.
      Map<Long, Latest> written = stored("resumed");
      assertThat(jedis.dbSize()).isEqualTo(written.size());
      assertThat(written.size()).isBetween(1, ENTITIES - 1);
      assertThat(expected).containsAllEntriesOf(written);

      // Redis is back; the source is gone, so only the stage can give the rows.
      proxy.restore();
      FileSystem offline = fileSystem(source);
      assertThat(offline.delete(new org.apache.hadoop.fs.Path(source), true)).isTrue();
      assertThat(offline.exists(new org.apache.hadoop.fs.Path(source))).isFalse();

      Result resumed = repo.materialize();
      assertThat(resumed.exit()).as(resumed.toString()).isZero();
      JsonNode report = resumed.report();
      assertThat(report.get("staging").get("resumed_from").asText()).isEqualTo(stage);
      assertThat(report.get("staging").get("note").asText()).contains("cannot be read now");
      assertThat(report.get("rows_read").asLong()).isZero();
      // Run 1's rows are there already with the same event times: skipped, the rest written.
      assertThat(report.get("rows_skipped_not_newer").asLong()).isEqualTo(written.size());
      assertThat(report.get("rows_written").asLong()).isEqualTo(ENTITIES - written.size());
      assertThat(jedis.dbSize()).isEqualTo(ENTITIES);
      assertThat(differences(expected, stored("resumed"))).isEmpty();

      // The interval is recorded once, by the run that succeeded.
      assertThat(repo.intervals()).containsExactly(new TimeInterval(DAY1, DAY2));
      assertThat(repo.command("intervals", "--feature-view", VIEW).report().get("intervals"))
          .hasToString("[{\"start\":\"" + DAY1 + "\",\"end\":\"" + DAY2 + "\"}]");
      List<MaterializationRun> runs = repo.runs();
      assertThat(runs)
          .extracting(MaterializationRun::status)
          .containsExactlyInAnyOrder(RunStatus.FAILED, RunStatus.SUCCEEDED);
      MaterializationRun succeeded = repo.run(report.get("run_id").asText());
      assertThat(succeeded.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(succeeded.stage()).isEqualTo(stage);
      // Deleted after success (no staging_keep).
      assertThat(fileSystem(stage).exists(new org.apache.hadoop.fs.Path(stage))).isFalse();
    }
  }

  @Test
  void aStageIsReusedWhileItsS3SourceIsUnchangedAndNotOnceAFileIsAdded() throws Exception {
    String source = "s3a://offline/changed/driver_stats";
    writeSource(source);
    Repo repo =
        repo("changed", source, "s3a://staging/changed", redis.hostAndPort(), "staging_keep: true");
    Result first = repo.materialize();
    assertThat(first.exit()).as(first.toString()).isZero();
    String firstStage = first.report().get("staging").get("stage").asText();

    // Unchanged on S3 (same files, sizes and times): resumed from the kept stage.
    Result unchanged = repo.materialize();
    assertThat(unchanged.exit()).as(unchanged.toString()).isZero();
    assertThat(unchanged.report().get("staging").get("resumed_from").asText())
        .isEqualTo(firstStage);
    assertThat(unchanged.report().get("rows_read").asLong()).isZero();
    assertThat(unchanged.report().get("rows_skipped_not_newer").asLong()).isEqualTo(ENTITIES);

    // One more file in the source folder, with a new entity inside the window.
    long newDriver = ENTITIES + 7;
    spark
        .sql(
            "SELECT CAST("
                + newDriver
                + " AS BIGINT) AS driver_id, TIMESTAMP'2024-05-01 12:00:00' AS event_timestamp,"
                + " CAST(0.5 AS DOUBLE) AS conv_rate, CAST(77 AS BIGINT) AS trips")
        .write()
        .mode("append")
        .parquet(source);
    Result changed = repo.materialize();
    assertThat(changed.exit()).as(changed.toString()).isZero();
    JsonNode staging = changed.report().get("staging");
    assertThat(staging.get("resumed_from")).isNull();
    assertThat(staging.get("not_resumed")).hasSize(1);
    assertThat(staging.get("not_resumed").get(0).asText())
        .startsWith(firstStage + ": ")
        .contains("the source changed", "is new");
    assertThat(staging.get("stage").asText()).isNotEqualTo(firstStage);
    assertThat(changed.report().get("rows_read").asLong()).isEqualTo(rowsInWindow(source));
    assertThat(changed.report().get("rows_written").asLong()).isEqualTo(1);
    assertThat(stored("changed").get(newDriver))
        .isEqualTo(new Latest(Instant.parse("2024-05-01T12:00:00Z"), 0.5, 77));
  }

  @Test
  void aStagingBucketThatDoesNotExistFailsWithExitCode2BeforeAnyWriteAndShowsNoSecret()
      throws Exception {
    String location = "s3a://no-such-bucket/x";
    Repo repo = repo("nobucket", SHARED_SOURCE, location, redis.hostAndPort(), null);
    assertThat(Files.readString(repo.config())).contains(SECRET);
    Result result = repo.materialize();
    assertThat(result.exit()).as(result.toString()).isEqualTo(2);
    JsonNode report = result.report();
    assertThat(report.get("exit_code").asInt()).isEqualTo(2);
    assertThat(report.get("error").asText()).contains("staging location", location);
    assertThat(report.get("rows_read").asLong()).isZero();
    assertThat(result.out()).doesNotContain(SECRET);
    assertThat(result.err()).doesNotContain(SECRET);
    assertThat(jedis.dbSize()).isZero();
    assertThat(repo.intervals()).isEmpty();
    List<MaterializationRun> runs = repo.runs();
    assertThat(runs)
        .singleElement()
        .satisfies(
            run -> {
              assertThat(run.status()).isEqualTo(RunStatus.FAILED);
              assertThat(run.phase()).isNull();
              assertThat(run.error()).contains(location).doesNotContain(SECRET);
            });
  }

  @Test
  void wrongCredentialsForTheStagingBucketFailWithExitCode2BeforeAnyWriteAndShowNoSecret()
      throws Exception {
    // Control: with its own keys the server takes a write to that bucket.
    org.apache.hadoop.conf.Configuration right = new org.apache.hadoop.conf.Configuration();
    right.set("fs.s3a.endpoint", s3proxy.endpoint());
    right.set("fs.s3a.path.style.access", "true");
    right.set("fs.s3a.connection.ssl.enabled", "false");
    right.set("fs.s3a.access.key", S3ProxyServer.ACCESS_KEY);
    right.set("fs.s3a.secret.key", S3ProxyServer.SECRET_KEY);
    right.set(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    right.setBoolean("fs.s3a.impl.disable.cache", true);
    org.apache.hadoop.fs.Path probe = new org.apache.hadoop.fs.Path("s3a://guarded/control");
    try (FileSystem fs = probe.getFileSystem(right)) {
      fs.create(probe, true).close();
      assertThat(fs.exists(probe)).isTrue();
    }

    String location = "s3a://guarded/stages";
    Repo repo = repo("wrongkeys", SHARED_SOURCE, location, redis.hostAndPort(), null);
    assertThat(Files.readString(repo.config())).contains(WRONG_SECRET);
    Result result = repo.materialize();
    assertThat(result.exit()).as(result.toString()).isEqualTo(2);
    JsonNode report = result.report();
    assertThat(report.get("error").asText())
        .contains("staging location", location, "AccessDenied", "credentials");
    assertThat(report.get("rows_read").asLong()).isZero();
    for (String text : List.of(result.out(), result.err(), repo.runs().get(0).error())) {
      assertThat(text).doesNotContain(WRONG_SECRET).doesNotContain(SECRET);
    }
    assertThat(jedis.dbSize()).isZero();
    assertThat(repo.intervals()).isEmpty();
  }

  // ---- the data ----

  /**
   * {@value #ENTITIES} entities with four rows each, in four 9-hour slots from 6 hours before the
   * window to 6 hours after it, at a pseudo-random time within each slot (so an entity's latest row
   * in the window is sometimes the third slot, sometimes the fourth), never two rows of one entity
   * at the same time. Written by Spark to {@code path} as a few Parquet files.
   */
  private static void writeSource(String path) {
    long slot = 9 * 3600_000L;
    spark
        .sql(
            "SELECT id % "
                + ENTITIES
                + " AS driver_id, timestamp_millis("
                + (DAY1.toEpochMilli() - 6 * 3600_000L)
                + " + (id DIV "
                + ENTITIES
                + ") * "
                + slot
                + " + pmod(xxhash64(id), "
                + slot
                + ")) AS event_timestamp, pmod(xxhash64(id, 1), 1000000) / 1000000.0D AS"
                + " conv_rate, id AS trips FROM range("
                + 4 * ENTITIES
                + ")")
        .repartition(3)
        .write()
        .parquet(path);
  }

  private static String windowFilter() {
    return "event_timestamp >= TIMESTAMP'2024-05-01 00:00:00' AND event_timestamp <"
        + " TIMESTAMP'2024-05-02 00:00:00'";
  }

  private static long rowsInWindow(String path) {
    return spark.read().parquet(path).where(windowFilter()).count();
  }

  /** The latest row per entity in the window, with a window function over the source files. */
  private static Map<Long, Latest> expectedLatest(String path) {
    spark.read().parquet(path).createOrReplaceTempView("expected_source");
    List<Row> rows =
        spark
            .sql(
                "SELECT driver_id, event_timestamp, conv_rate, trips FROM (SELECT *, row_number()"
                    + " OVER (PARTITION BY driver_id ORDER BY event_timestamp DESC) AS n FROM"
                    + " expected_source WHERE "
                    + windowFilter()
                    + ") WHERE n = 1")
            .collectAsList();
    Map<Long, Latest> latest = new HashMap<>();
    for (Row row : rows) {
      latest.put(
          row.getLong(0), new Latest((Instant) row.get(1), row.getDouble(2), row.getLong(3)));
    }
    return latest;
  }

  /** One entity's latest row: its event time and features. */
  record Latest(Instant eventTime, double convRate, long trips) {}

  /** Up to 10 entities whose rows differ (or are missing on one side), and how many in all. */
  private static List<String> differences(Map<Long, Latest> expected, Map<Long, Latest> actual) {
    List<String> differences = new ArrayList<>();
    int count = 0;
    for (Map.Entry<Long, Latest> want : new TreeMap<>(expected).entrySet()) {
      Latest got = actual.get(want.getKey());
      if (!want.getValue().equals(got)) {
        if (++count <= 10) {
          differences.add(want.getKey() + ": expected " + want.getValue() + ", got " + got);
        }
      }
    }
    for (Long extra : actual.keySet()) {
      if (!expected.containsKey(extra) && ++count <= 10) {
        differences.add(extra + ": not expected, got " + actual.get(extra));
      }
    }
    if (count > 10) {
      differences.add("... " + count + " differences in all");
    }
    return differences;
  }

  // ---- Redis, decoded from Feast's layout ----

  /**
   * What Redis holds for {@code project}'s view, for driver ids 0 to {@value #ENTITIES} + 10: one
   * hash per entity key (Feast's serialization, then the project), MurmurHash3 field names,
   * ValueProto values and a {@code _ts:<view>} Timestamp.
   */
  private static Map<Long, Latest> stored(String project) throws Exception {
    byte[] tsField = ("_ts:" + VIEW).getBytes(UTF_8);
    byte[] rateField = DriverKeys.murmur(VIEW + ":conv_rate");
    byte[] tripsField = DriverKeys.murmur(VIEW + ":trips");
    Map<Long, Latest> stored = new HashMap<>();
    for (long driver = 0; driver < ENTITIES + 10; driver++) {
      List<byte[]> values =
          jedis.hmget(DriverKeys.redisKey(project, driver), tsField, rateField, tripsField);
      if (values.get(0) == null) {
        continue;
      }
      Timestamp ts = Timestamp.parseFrom(values.get(0));
      stored.put(
          driver,
          new Latest(
              Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()),
              Value.parseFrom(values.get(1)).getDoubleVal(),
              Value.parseFrom(values.get(2)).getInt64Val()));
    }
    return stored;
  }

  // ---- S3 through Hadoop ----

  private static FileSystem fileSystem(String uri) throws IOException {
    return new org.apache.hadoop.fs.Path(uri)
        .getFileSystem(spark.sparkContext().hadoopConfiguration());
  }

  /** Every file and folder under {@code uri} (nothing when it does not exist). */
  private static List<String> listRecursively(String uri) throws IOException {
    FileSystem fs = fileSystem(uri);
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(uri);
    List<String> found = new ArrayList<>();
    if (!fs.exists(root)) {
      return found;
    }
    List<org.apache.hadoop.fs.Path> folders = new ArrayList<>(List.of(root));
    while (!folders.isEmpty()) {
      for (FileStatus status : fs.listStatus(folders.remove(0))) {
        found.add(status.getPath().toString());
        if (status.isDirectory()) {
          folders.add(status.getPath());
        }
      }
    }
    return found;
  }

  /** The Parquet files directly under {@code uri}. */
  private static List<String> parquetFiles(String uri) throws IOException {
    List<String> files = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> it =
        fileSystem(uri).listFiles(new org.apache.hadoop.fs.Path(uri), false);
    while (it.hasNext()) {
      String name = it.next().getPath().getName();
      if (name.endsWith(".parquet")) {
        files.add(name);
      }
    }
    return files;
  }

  // ---- repos and commands ----

  /**
   * A repo in its own folder: project {@code project} (also the Redis keys' suffix), a SQLite
   * registry, Redis at {@code redisHostAndPort}, the view on {@code source}, staging at {@code
   * staging}; {@code sluice} is the {@code sluice:} section's body (null for none), then extra
   * top-level YAML and extra {@code batch_engine} lines.
   */
  private Repo repo(
      String project, String source, String staging, String redisHostAndPort, String sluice)
      throws Exception {
    return repo(project, source, staging, redisHostAndPort, sluice, "", "");
  }

  private Repo repo(
      String project,
      String source,
      String staging,
      String redisHostAndPort,
      String sluice,
      String extraYaml,
      String extraBatchEngine)
      throws Exception {
    Path repoDir = Files.createDirectories(dir.resolve(project));
    StringBuilder sparkConf = new StringBuilder();
    s3a()
        .forEach(
            (key, value) ->
                sparkConf.append("    ").append(key).append(": \"").append(value).append("\"\n"));
    Files.writeString(
        repoDir.resolve("feature_store.yaml"),
        "project: "
            + project
            + "\nregistry: {registry_type: sql, path: \"sqlite:///"
            + repoDir.resolve("registry.db").toAbsolutePath()
            + "\"}\n"
            + "online_store: {type: redis, connection_string: \""
            + redisHostAndPort
            + "\"}\n"
            + "batch_engine:\n  type: spark.engine\n  staging_location: "
            + staging
            + "\n"
            + extraBatchEngine
            + "  spark_conf:\n"
            + sparkConf
            + (sluice == null ? "" : "sluice: {" + sluice + "}\n")
            + extraYaml);
    Files.writeString(
        repoDir.resolve("definitions.yaml"),
        "entities:\n"
            + "  - {name: driver, join_key: driver_id, value_type: INT64}\n"
            + "data_sources:\n"
            + "  - {name: stats, type: file, path: \""
            + source
            + "\", timestamp_field: event_timestamp}\n"
            + "feature_views:\n"
            + "  - name: "
            + VIEW
            + "\n"
            + "    entities: [driver]\n"
            + "    source: stats\n"
            + "    features:\n"
            + "      - {name: conv_rate, dtype: DOUBLE}\n"
            + "      - {name: trips, dtype: INT64}\n");
    Repo repo = new Repo(repoDir, project);
    Result applied =
        repo.command("apply", "--definitions", repoDir.resolve("definitions.yaml").toString());
    assertThat(applied.exit()).as(applied.toString()).isZero();
    return repo;
  }

  private record Repo(Path dir, String project) {
    Path config() {
      return dir.resolve("feature_store.yaml");
    }

    Result materialize() {
      return command(
          "materialize",
          "--feature-view",
          VIEW,
          "--start",
          DAY1.toString(),
          "--end",
          DAY2.toString());
    }

    Result command(String command, String... args) {
      List<String> all = new ArrayList<>();
      all.add(command);
      all.add("--config");
      all.add(config().toString());
      all.addAll(List.of(args));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit =
          SluiceMain.execute(
              new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
      return new Result(exit, out.toString(), err.toString());
    }

    private SqlRegistry registry() {
      return SqlRegistry.open(RegistryConfig.sqlite(dir.resolve("registry.db")));
    }

    MaterializationRun run(String runId) {
      try (SqlRegistry registry = registry()) {
        return registry.run(runId).orElseThrow();
      }
    }

    List<MaterializationRun> runs() {
      try (SqlRegistry registry = registry()) {
        return registry.runs(project, VIEW);
      }
    }

    List<TimeInterval> intervals() {
      try (SqlRegistry registry = registry()) {
        return registry.intervals(project, VIEW);
      }
    }
  }

  /** A command's exit code and output; its report is the last line on stdout. */
  private record Result(int exit, String out, String err) {
    JsonNode report() {
      String[] lines = out.strip().split("\n");
      try {
        JsonNode report = JSON.readTree(lines[lines.length - 1]);
        assertThat(report.get("exit_code").asInt()).as(toString()).isEqualTo(exit);
        return report;
      } catch (IOException e) {
        throw new AssertionError("No JSON report: " + this, e);
      }
    }
  }
}
