package io.sluice.online.dynamodb;

import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.FeastKeys;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineReader;
import io.sluice.online.OnlineStore;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.regions.Region;

/**
 * Feast's DynamoDB online store ({@code type: dynamodb}): one table per feature view, items in
 * Feast's layout ({@link DynamoDbItems}). Feast's keys are read from {@code online_store}; Sluice's
 * own settings from {@code sluice.dynamodb}, since Feast forbids extra keys in {@code
 * online_store}. Credentials come from the AWS SDK's default chain only.
 */
public final class DynamoDbStore implements OnlineStore<DynamoDbOnlineStoreConfig> {
  static final String REGION = "region";
  static final String ENDPOINT_URL = "endpoint_url";
  static final String TABLE_NAME_TEMPLATE = "table_name_template";
  static final String TAGS = "tags";

  /** Feast's BatchGetItem size for its reads. */
  static final String BATCH_SIZE = "batch_size";

  /** {@code sluice.dynamodb}: conditional writes in flight per writer (per Spark partition). */
  static final String REQUESTS_IN_FLIGHT = "requests_in_flight";

  static final int DEFAULT_REQUESTS_IN_FLIGHT = 16;

  /** A bound that keeps one partition's thread and connection pool sane. */
  static final int MAX_REQUESTS_IN_FLIGHT = 1024;

  /**
   * {@code sluice.dynamodb}: write capacity units per second for the whole job, split evenly across
   * the write partitions; unset means no target.
   */
  static final String TARGET_WRITE_CAPACITY = "target_write_capacity";

  /** No target: write as fast as DynamoDB accepts (throttling is retried). */
  static final long DEFAULT_TARGET_WRITE_CAPACITY = 0;

  /** Far above any table's quota (40,000 WCU by default), to catch a slip of the keyboard. */
  static final long MAX_TARGET_WRITE_CAPACITY = 10_000_000;

  @Override
  public List<String> typeNames() {
    return List.of("dynamodb", "feast.infra.online_stores.dynamodb.DynamoDBOnlineStore");
  }

  @Override
  public Class<DynamoDbOnlineStoreConfig> configClass() {
    return DynamoDbOnlineStoreConfig.class;
  }

  /** {@inheritDoc} Without {@code sluice.dynamodb}: every Sluice setting has its default. */
  @Override
  public DynamoDbOnlineStoreConfig parse(ConfigSection section, Path baseDir) {
    return parse(section, ConfigSection.of(null, "sluice.dynamodb", null), baseDir);
  }

  /** {@inheritDoc} The DynamoDB store has no paths: {@code baseDir} is not used. */
  @Override
  public DynamoDbOnlineStoreConfig parse(
      ConfigSection section, ConfigSection sluiceSettings, Path baseDir) {
    ConfigSection dynamodb =
        FeastKeys.of(section, "dynamodb")
            .honoured(TYPE_KEY, REGION, ENDPOINT_URL, TABLE_NAME_TEMPLATE, TAGS)
            .ignored(
                "Feast's BatchGetItem size for reads; Sluice's force writes send BatchWriteItem's"
                    + " maximum of 25 items",
                BATCH_SIZE)
            .ignored(
                "only Feast's reads use it",
                "consistent_reads",
                "warmup_connections",
                "max_read_workers")
            .ignored(
                "both of Feast's ways use the AWS default credential chain, as Sluice does",
                "session_based_auth")
            .ignored(
                "tunes Feast's async boto client; Sluice's pool is"
                    + " sluice.dynamodb.requests_in_flight",
                "max_pool_connections",
                "keepalive_timeout",
                "connect_timeout",
                "read_timeout")
            .ignored(
                "botocore's retries; Sluice retries with its own rule within"
                    + " sluice.write_retry_seconds",
                "total_max_retry_attempts",
                "retry_mode")
            .check();
    String region =
        dynamodb
            .optionalText(REGION)
            .filter(text -> !text.isBlank())
            .orElseThrow(
                () ->
                    dynamodb.invalid(
                        REGION, "is required (Feast requires it too), e.g. us-east-1"));
    String endpoint = dynamodb.optionalText(ENDPOINT_URL).orElse(null);
    if (endpoint != null && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw dynamodb.invalid(ENDPOINT_URL, "must start with http:// or https://, got: " + endpoint);
    }
    if (endpoint == null) {
      requireKnownRegion(dynamodb, region);
    }
    TableNameTemplate template;
    try {
      template =
          new TableNameTemplate(dynamodb.text(TABLE_NAME_TEMPLATE, TableNameTemplate.DEFAULT));
    } catch (IllegalArgumentException e) {
      throw dynamodb.invalid(TABLE_NAME_TEMPLATE, e.getMessage());
    }
    ConfigSection own =
        sluiceSettings.requireKnownKeys(Set.of(REQUESTS_IN_FLIGHT, TARGET_WRITE_CAPACITY));
    int inFlight =
        own.integer(REQUESTS_IN_FLIGHT, DEFAULT_REQUESTS_IN_FLIGHT, 1, MAX_REQUESTS_IN_FLIGHT);
    // Unset is no target; a value given must be a real one (1 or more).
    long targetWriteCapacity =
        own.longInteger(
            TARGET_WRITE_CAPACITY, DEFAULT_TARGET_WRITE_CAPACITY, 1, MAX_TARGET_WRITE_CAPACITY);
    return new DynamoDbOnlineStoreConfig(
        region, endpoint, template, dynamodb.stringMap(TAGS), inFlight, targetWriteCapacity);
  }

  /**
   * Without {@code endpoint_url} the SDK calls {@code dynamodb.<region>.amazonaws.com}: a region
   * the SDK does not know would only fail at the first write, as an unresolvable host that looks
   * like an outage (retried, exit 4). Refused here instead (exit 2, before Spark starts). A region
   * newer than the SDK works with {@code endpoint_url}, which skips this check.
   */
  private static void requireKnownRegion(ConfigSection dynamodb, String region) {
    List<String> known = Region.regions().stream().map(Region::id).sorted().toList();
    if (!known.contains(region)) {
      throw dynamodb.invalid(
          REGION,
          "'"
              + region
              + "' is not an AWS region the AWS SDK knows"
              + ConfigSection.nearest(region, known)
                  .map(near -> " (did you mean '" + near + "'?)")
                  .orElse("")
              + "; for a DynamoDB-compatible server or a region newer than the SDK, set"
              + " endpoint_url");
    }
  }

  @Override
  public OnlineWriter openWriter(
      DynamoDbOnlineStoreConfig config, FeatureViewSchema view, WriteOptions options) {
    return new DynamoDbOnlineWriter(config, view, options);
  }

  @Override
  public OnlineReader openReader(
      DynamoDbOnlineStoreConfig config, FeatureViewSchema view, EntityKeyFormat keyFormat) {
    return new DynamoDbOnlineReader(config, view, keyFormat);
  }

  @Override
  public String location(DynamoDbOnlineStoreConfig config) {
    return config.location();
  }

  @Override
  public boolean needsLocalMode() {
    return false;
  }
}
