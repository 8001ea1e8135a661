package io.sluice.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.cli.SluiceMain;
import io.sluice.testing.PostgresServer;
import io.sluice.testing.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/**
 * End to end against real servers: a PostgreSQL registry, a Redis online store, Spark in local
 * mode. What lands in Redis is decoded here from Feast's byte layout (one hash per entity key
 * followed by the project name, MurmurHash3 field names, serialized ValueProto values, a {@code
 * _ts:<view>} Timestamp) and compared with the latest rows computed in plain Java from the same
 * generated data.
 */
@Timeout(600)
class RedisPostgresMaterializationTest {
  private static final Instant DAY1 = Instant.parse("2024-05-01T00:00:00Z");
  private static final Instant DAY2 = Instant.parse("2024-05-02T00:00:00Z");
  private static final Instant DAY3 = Instant.parse("2024-05-03T00:00:00Z");
  private static final int DRIVERS = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static RedisServer redis;
  private static PostgresServer postgres;
  private static JedisPooled jedis;
  private static SparkSession spark;
  @TempDir static Path dir;
  private static List<Row> rows;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    postgres = PostgresServer.start();
    jedis = new JedisPooled("127.0.0.1", redis.port());
    spark =
        SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate();
    rows = generate();
    StructType schema =
        new StructType()
            .add("driver_id", DataTypes.LongType)
            .add("event_timestamp", DataTypes.TimestampType)
            .add("conv_rate", DataTypes.DoubleType)
            .add("trips", DataTypes.IntegerType);
    spark.conf().set("spark.sql.datetime.java8API.enabled", "true");
    spark
        .createDataFrame(rows, schema)
        .repartition(4)
        .write()
        .parquet(dir.resolve("stats.parquet").toString());
    Files.writeString(
        dir.resolve("feature_store.yaml"),
        "project: it\n"
            + "registry:\n  registry_type: sql\n  path: postgresql://"
            + postgres.user()
            + ":"
            + URLEncoder.encode(postgres.password(), UTF_8)
            + "@127.0.0.1:"
            + postgres.port()
            + "/"
            + postgres.database()
            + "\n"
            + "online_store:\n  type: redis\n  connection_string: 127.0.0.1:"
            + redis.port()
            + "\n"
            + "batch_engine:\n  type: spark.engine\n  partitions: 3\n"
            + "materialization:\n  online_write_batch_size: 200\n");
    Files.writeString(
        dir.resolve("definitions.yaml"),
        """
        entities:
          - {name: driver, join_key: driver_id, value_type: INT64}
        data_sources:
          - {name: stats, type: file, path: stats.parquet, timestamp_field: event_timestamp}
        feature_views:
          - name: driver_stats
            entities: [driver]
            source: stats
            ttl: 1d
            features:
              - {name: conv_rate, dtype: FLOAT}
              - {name: trips, dtype: INT64}
        """);
    JsonNode applied = run("apply", "--definitions", dir.resolve("definitions.yaml").toString());
    assertThat(applied.get("exit_code").asInt()).isZero();
  }

  @AfterAll
  static void stop() {
    spark.stop();
    jedis.close();
    redis.close();
    postgres.close();
  }

  @Test
  void materializeIncrementalAndRerunAgainstRedisAndPostgres() {
    JsonNode first =
        run(
            "materialize",
            "--feature-view",
            "driver_stats",
            "--start",
            DAY1.toString(),
            "--end",
            DAY2.toString());
    assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("SUCCEEDED");
    assertThat(first.get("rows_written").asLong()).isEqualTo(DRIVERS);
    assertThat(first.get("partitions").asInt()).isEqualTo(3);
    assertStoreHoldsLatest(DAY1, DAY2);

    JsonNode again =
        run(
            "materialize",
            "--feature-view",
            "driver_stats",
            "--start",
            DAY1.toString(),
            "--end",
            DAY2.toString());
    assertThat(again.get("rows_written").asLong()).isZero();
    assertThat(again.get("rows_skipped_not_newer").asLong()).isEqualTo(DRIVERS);

    JsonNode incremental =
        run("materialize-incremental", "--feature-view", "driver_stats", "--end", DAY3.toString());
    assertThat(incremental.get("start").asText()).isEqualTo(DAY2.toString());
    assertThat(incremental.get("rows_written").asLong()).isEqualTo(DRIVERS);
    assertStoreHoldsLatest(DAY1, DAY3);

    JsonNode intervals = run("intervals", "--feature-view", "driver_stats");
    assertThat(intervals.get("intervals").toString())
        .isEqualTo("[{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-03T00:00:00Z\"}]");
  }

  private static void assertStoreHoldsLatest(Instant start, Instant end) {
    assertThat(rows.stream().map(row -> row.get(0)).distinct().count()).isEqualTo(DRIVERS);
    DriverStatsInRedis.assertHoldsLatest(jedis, "it", "driver_stats", rows, start, end);
  }

  /** Feast's v3 key for one INT64 driver_id, then the project name. */
  private static List<Row> generate() {
    Random random = new Random(11);
    List<Row> generated = new ArrayList<>();
    for (long driver = 0; driver < DRIVERS; driver++) {
      for (Instant t = DAY1; t.isBefore(DAY3); t = t.plusSeconds(6 * 3600)) {
        generated.add(
            RowFactory.create(
                driver,
                t.plusMillis(random.nextInt(6 * 3600_000)),
                random.nextDouble(),
                random.nextInt(500)));
      }
    }
    return generated;
  }

  private static JsonNode run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--config");
    all.add(2, dir.resolve("feature_store.yaml").toString());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        SluiceMain.execute(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    String[] lines = out.toString().strip().split("\n");
    try {
      JsonNode last = JSON.readTree(lines[lines.length - 1]);
      assertThat(last.get("exit_code").asInt()).as(err.toString()).isEqualTo(exit);
      return last;
    } catch (Exception e) {
      throw new AssertionError("stdout: " + out + "\nstderr: " + err, e);
    }
  }
}
