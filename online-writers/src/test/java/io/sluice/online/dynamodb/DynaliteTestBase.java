package io.sluice.online.dynamodb;

import static feast.proto.types.ValueProto.ValueType.Enum.INT64;

import io.sluice.common.feast.Column;
import io.sluice.online.FeatureViewSchema;
import io.sluice.testing.DynaliteServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One real dynalite for a test class, a plain client to check what it stores, and the store configs
 * and views the tests write with: each view in a project of its own, so each test has fresh tables.
 */
abstract class DynaliteTestBase {
  private static final AtomicInteger PROJECTS = new AtomicInteger();
  static DynaliteServer server;
  static DynamoDbClient raw;

  @BeforeAll
  static void startDynalite() {
    // The SDK's default chain reads these; dynalite accepts any credentials.
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
    server = DynaliteServer.start();
    raw = DynamoDbClients.open(config(Map.of(), 1, 0));
  }

  @AfterAll
  static void stopDynalite() {
    raw.close();
    server.close();
  }

  /** The test server as a store, with {@code tags}, requests in flight and a capacity target. */
  static DynamoDbOnlineStoreConfig config(
      Map<String, String> tags, int requestsInFlight, long targetWriteCapacity) {
    return new DynamoDbOnlineStoreConfig(
        "us-east-1",
        server.endpointUrl(),
        new TableNameTemplate(TableNameTemplate.DEFAULT),
        tags,
        requestsInFlight,
        targetWriteCapacity);
  }

  /** A view {@code drivers} keyed by {@code driver_id} with {@code features}, in a new project. */
  static FeatureViewSchema view(String projectPrefix, List<Column> features) {
    return new FeatureViewSchema(
        projectPrefix + PROJECTS.incrementAndGet(),
        "drivers",
        List.of(new Column("driver_id", INT64)),
        features);
  }
}
