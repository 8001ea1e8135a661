package io.sluice.online.dynamodb;

import static java.util.Objects.requireNonNull;

import io.sluice.online.OnlineStoreConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Feast's DynamoDB online store: {@code region}, {@code endpoint_url}, {@code table_name_template}
 * and {@code tags}, plus Sluice's own {@code sluice.dynamodb} settings. Holds no credentials: the
 * SDK's default chain supplies them on each executor.
 *
 * @param endpointUrl Feast's {@code endpoint_url}, or null for the region's AWS endpoint
 * @param tags added to each table Sluice creates, in file order
 * @param requestsInFlight conditional writes each writer (one per Spark partition) keeps in flight
 * @param targetWriteCapacity write capacity units per second for the whole job, split evenly across
 *     the writers writing at once; 0 means no target (as fast as DynamoDB accepts)
 */
public record DynamoDbOnlineStoreConfig(
    String region,
    String endpointUrl,
    TableNameTemplate tableNameTemplate,
    Map<String, String> tags,
    int requestsInFlight,
    long targetWriteCapacity)
    implements OnlineStoreConfig {

  public DynamoDbOnlineStoreConfig {
    requireNonNull(region, "region is null");
    requireNonNull(tableNameTemplate, "tableNameTemplate is null");
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(tags, "tags is null")));
    if (region.isBlank()) {
      throw new IllegalArgumentException("Invalid DynamoDB region: blank");
    }
    if (requestsInFlight < 1) {
      throw new IllegalArgumentException("Invalid requests in flight: " + requestsInFlight);
    }
    if (targetWriteCapacity < 0) {
      throw new IllegalArgumentException("Invalid target write capacity: " + targetWriteCapacity);
    }
  }

  /** Without a target write capacity. */
  public DynamoDbOnlineStoreConfig(
      String region,
      String endpointUrl,
      TableNameTemplate tableNameTemplate,
      Map<String, String> tags,
      int requestsInFlight) {
    this(region, endpointUrl, tableNameTemplate, tags, requestsInFlight, 0);
  }

  public Optional<String> endpoint() {
    return Optional.ofNullable(endpointUrl);
  }

  /** {@code dynamodb in <region>} or {@code dynamodb at <endpoint_url> (<region>)}. */
  String location() {
    return endpointUrl == null
        ? "dynamodb in " + region
        : "dynamodb at " + endpointUrl + " (" + region + ")";
  }
}
