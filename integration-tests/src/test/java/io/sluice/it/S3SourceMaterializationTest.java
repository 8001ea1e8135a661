package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.cli.SluiceMain;
import io.sluice.testing.S3MockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch source on S3, read through Hadoop S3A from a real S3-compatible server (S3Mock, in its
 * own JVM): Spark writes the Parquet there, {@code sluice materialize} reads it from {@code
 * s3a://}, and the read-back values match the latest rows computed with plain Spark SQL.
 */
@Timeout(600)
class S3SourceMaterializationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static S3MockServer s3;
  private static SparkSession spark;
  @TempDir static Path dir;

  private static Map<String, String> s3a() {
    return Map.of(
        "spark.hadoop.fs.s3a.endpoint", s3.endpoint(),
        "spark.hadoop.fs.s3a.path.style.access", "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled", "false",
        "spark.hadoop.fs.s3a.access.key", "test",
        "spark.hadoop.fs.s3a.secret.key", "test",
        "spark.hadoop.fs.s3a.aws.credentials.provider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
  }

  @BeforeAll
  static void start() throws Exception {
    s3 = S3MockServer.start("offline");
    SparkSession.Builder builder =
        SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false");
    s3a().forEach(builder::config);
    spark = builder.getOrCreate();
    S3aFileSystems.forget(spark.sparkContext().hadoopConfiguration(), "offline");
    spark
        .sql(
            "SELECT id % 50 AS driver_id, TIMESTAMP'2024-05-01 00:00:00' + make_interval(0, 0, 0,"
                + " 0, 0, 0, id * 7) AS event_timestamp, CAST(id AS DOUBLE) / 100 AS rate FROM"
                + " range(1000)")
        .write()
        .parquet("s3a://offline/driver_stats");

    StringBuilder sparkConf = new StringBuilder();
    s3a()
        .forEach(
            (key, value) ->
                sparkConf.append("    ").append(key).append(": \"").append(value).append("\"\n"));
    Files.writeString(
        dir.resolve("feature_store.yaml"),
        "project: s3test\nregistry: {registry_type: sql, path: \"sqlite:///"
            + dir.resolve("registry.db").toAbsolutePath()
            + "\"}\n"
            + "online_store: {type: sqlite, path: online.db}\n"
            + "batch_engine:\n  type: spark.engine\n  spark_conf:\n"
            + sparkConf);
    Files.writeString(
        dir.resolve("definitions.yaml"),
        """
        entities:
          - {name: driver, join_key: driver_id, value_type: INT64}
        data_sources:
          - {name: stats, type: file, path: "s3a://offline/driver_stats",
             timestamp_field: event_timestamp}
        feature_views:
          - name: driver_stats
            entities: [driver]
            source: stats
            features:
              - {name: rate, dtype: DOUBLE}
        """);
  }

  @AfterAll
  static void stop() {
    S3aFileSystems.forget(spark.sparkContext().hadoopConfiguration(), "offline");
    spark.stop();
    s3.close();
  }

  @Test
  void materializesASourceReadThroughS3a() throws Exception {
    String config = dir.resolve("feature_store.yaml").toString();
    assertThat(
            run(
                    "apply",
                    "--config",
                    config,
                    "--definitions",
                    dir.resolve("definitions.yaml").toString())
                .get("exit_code")
                .asInt())
        .isZero();
    JsonNode report =
        run(
            "materialize",
            "--config",
            config,
            "--feature-view",
            "driver_stats",
            "--start",
            "2024-05-01T00:00:00Z",
            "--end",
            "2024-05-01T01:00:00Z");
    assertThat(report.get("status").asText()).as(report.toString()).isEqualTo("SUCCEEDED");
    // Events every 7 s from midnight: ids 0..514 fall in the first hour.
    assertThat(report.get("rows_read").asLong()).isEqualTo(515);
    assertThat(report.get("rows_written").asLong()).isEqualTo(50);

    JsonNode read =
        run(
            "read",
            "--config",
            config,
            "--feature-view",
            "driver_stats",
            "--entity",
            "driver_id=7",
            "--entity",
            "driver_id=49");
    List<Double> expected =
        spark
            .sql(
                "SELECT max_by(rate, event_timestamp) FROM parquet.`s3a://offline/driver_stats`"
                    + " WHERE event_timestamp < TIMESTAMP'2024-05-01 01:00:00' AND driver_id IN"
                    + " (7, 49) GROUP BY driver_id ORDER BY driver_id")
            .as(org.apache.spark.sql.Encoders.DOUBLE())
            .collectAsList();
    assertThat(read.get("entities").get(0).get("values").get("rate").asDouble())
        .isEqualTo(expected.get(0));
    assertThat(read.get("entities").get(1).get("values").get("rate").asDouble())
        .isEqualTo(expected.get(1));
  }

  private static JsonNode run(String... args) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    SluiceMain.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    String[] lines = out.toString().strip().split("\n");
    try {
      return JSON.readTree(lines[lines.length - 1]);
    } catch (Exception e) {
      throw new AssertionError("stdout: " + out + "\nstderr: " + err, e);
    }
  }
}
