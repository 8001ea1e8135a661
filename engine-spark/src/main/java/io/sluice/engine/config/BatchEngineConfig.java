package io.sluice.engine.config;

import static java.util.Objects.requireNonNull;

import io.sluice.online.WriteOptions;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code batch_engine} section of {@code feature_store.yaml}, as Sluice reads it.
 *
 * @param type the engine type as written ({@code spark.engine}, or any other Feast type)
 * @param partitions partitions of the write stage; 0 keeps Spark's own partitioning
 * @param writeBatchSize rows per online store batch (one Redis pipeline, one SQLite transaction)
 * @param writeRetryBudget how long one batch's transient store errors are retried
 * @param staging Feast's {@code staging_location} (null: no staging) and Sluice's {@code
 *     sluice.staging_keep} and {@code sluice.staging_retention_hours}
 * @param region Feast's {@code region}: the AWS region of an {@code s3a://} staging location,
 *     applied as {@code fs.s3a.endpoint.region} unless {@code spark_conf} sets that
 * @param sparkConf Spark settings applied to the session
 */
public record BatchEngineConfig(
    String type,
    int partitions,
    int writeBatchSize,
    Duration writeRetryBudget,
    StagingConfig staging,
    String region,
    Map<String, String> sparkConf)
    implements Serializable {
  public static final String TYPE = "type";
  public static final String PARTITIONS = "partitions";
  public static final String STAGING_LOCATION = "staging_location";
  public static final String REGION = "region";
  public static final String SPARK_CONF = "spark_conf";

  /** Feast's default engine type; Sluice reads the same keys whatever the type. */
  public static final String DEFAULT_TYPE = "local";

  public static final int DEFAULT_PARTITIONS = 0;
  public static final int DEFAULT_WRITE_BATCH_SIZE = 1000;
  public static final Duration DEFAULT_WRITE_RETRY_BUDGET = WriteOptions.DEFAULT_RETRY_BUDGET;

  public BatchEngineConfig {
    requireNonNull(type, "type is null");
    requireNonNull(writeRetryBudget, "writeRetryBudget is null");
    requireNonNull(staging, "staging is null");
    sparkConf = Map.copyOf(requireNonNull(sparkConf, "sparkConf is null"));
    // Bounds are the config reader's (RepoConfig): checked there once, with the file in the
    // message.
  }

  public static BatchEngineConfig defaults() {
    return new BatchEngineConfig(
        DEFAULT_TYPE,
        DEFAULT_PARTITIONS,
        DEFAULT_WRITE_BATCH_SIZE,
        DEFAULT_WRITE_RETRY_BUDGET,
        StagingConfig.none(),
        null,
        Map.of());
  }

  /** Feast's {@code staging_location}, or null. */
  public String stagingLocation() {
    return staging.location();
  }
}
