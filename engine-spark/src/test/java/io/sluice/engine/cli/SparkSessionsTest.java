package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.config.BatchEngineConfig;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SparkSessionsTest {
  private static BatchEngineConfig engine(Map<String, String> sparkConf) {
    BatchEngineConfig defaults = BatchEngineConfig.defaults();
    return new BatchEngineConfig(
        defaults.type(),
        defaults.partitions(),
        defaults.writeBatchSize(),
        defaults.writeRetryBudget(),
        defaults.staging(),
        null,
        sparkConf);
  }

  @Test
  void localModeHasNoWebUiAndADriverOnLoopback() {
    SparkConf conf = SparkSessions.conf(new SparkConf(false), "sluice", engine(Map.of()));
    assertThat(conf.get("spark.master")).isEqualTo("local[*]");
    assertThat(conf.get("spark.ui.enabled")).isEqualTo("false");
    assertThat(conf.get("spark.driver.host")).isEqualTo("127.0.0.1");
    assertThat(conf.get("spark.driver.bindAddress")).isEqualTo("127.0.0.1");
    assertThat(conf.get("spark.sql.session.timeZone")).isEqualTo("UTC");
    assertThat(conf.get("spark.sql.shuffle.partitions"))
        .isEqualTo(Integer.toString(4 * Runtime.getRuntime().availableProcessors()));
  }

  @Test
  void feastsRegionIsTheStagingBucketsS3aRegionUnlessSparkConfSetsIt() {
    BatchEngineConfig defaults = BatchEngineConfig.defaults();
    java.util.function.BiFunction<String, Map<String, String>, BatchEngineConfig> engine =
        (staging, sparkConf) ->
            new BatchEngineConfig(
                defaults.type(),
                defaults.partitions(),
                defaults.writeBatchSize(),
                defaults.writeRetryBudget(),
                new io.sluice.engine.config.StagingConfig(
                    staging, false, java.time.Duration.ofHours(1)),
                "eu-west-1",
                sparkConf);
    String key = "spark.hadoop.fs.s3a.bucket.stages.endpoint.region";
    assertThat(
            SparkSessions.conf(
                    new SparkConf(false), "sluice", engine.apply("s3a://stages/p", Map.of()))
                .get(key))
        .isEqualTo("eu-west-1");
    assertThat(
            SparkSessions.conf(
                    new SparkConf(false),
                    "sluice",
                    engine.apply("s3a://stages/p", Map.of(key, "us-east-2")))
                .get(key))
        .isEqualTo("us-east-2");
    // No s3a staging: the region sets nothing (every other bucket keeps its own).
    SparkConf hdfs =
        SparkSessions.conf(new SparkConf(false), "sluice", engine.apply("hdfs://nn/p", Map.of()));
    assertThat(hdfs.getAll()).noneMatch(e -> e._1().contains("region"));
    assertThat(SparkSessions.s3aBucket("s3a://KEY:SECRET@b2/x")).isEqualTo("b2");
  }

  @Test
  void localTaskSlotsComeFromTheMaster() {
    assertThat(SparkSessions.localCores("local")).isEqualTo(1);
    assertThat(SparkSessions.localCores("local[3]")).isEqualTo(3);
    assertThat(SparkSessions.localCores("local[5,2]")).isEqualTo(5);
    assertThat(SparkSessions.localCores("local[*]"))
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(SparkSessions.localCores("local[*,4]"))
        .isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void whatTheUserSetWinsInLocalMode() {
    SparkConf submitted =
        new SparkConf(false)
            .setMaster("local[2]")
            .set("spark.driver.host", "h")
            .set("spark.sql.shuffle.partitions", "3");
    SparkConf conf =
        SparkSessions.conf(submitted, "sluice", engine(Map.of("spark.ui.enabled", "true")));
    assertThat(conf.get("spark.ui.enabled")).isEqualTo("true");
    assertThat(conf.get("spark.driver.host")).isEqualTo("h");
    assertThat(conf.get("spark.sql.shuffle.partitions")).isEqualTo("3");
  }

  @Test
  void aClusterKeepsSparksDefaults() {
    SparkConf conf =
        SparkSessions.conf(
            new SparkConf(false).setMaster("spark://master:7077"), "sluice", engine(Map.of()));
    assertThat(conf.contains("spark.ui.enabled")).isFalse();
    assertThat(conf.contains("spark.driver.host")).isFalse();
    assertThat(conf.contains("spark.driver.bindAddress")).isFalse();
    assertThat(conf.contains("spark.sql.shuffle.partitions")).isFalse();
  }
}
