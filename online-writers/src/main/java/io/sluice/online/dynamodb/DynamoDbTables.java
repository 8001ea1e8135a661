package io.sluice.online.dynamodb;

import io.sluice.online.InvalidOnlineStoreConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.Tag;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * Makes sure a view's table exists with Feast's key schema: created as Feast creates it when
 * missing (hash key {@code entity_id} of type S, on-demand billing, the configured tags), then
 * waited for until ACTIVE. Tags of a table that already exists are left as they are (Feast's {@code
 * feast apply} updates them; Sluice does not).
 */
final class DynamoDbTables {
  private static final Logger LOG = LoggerFactory.getLogger(DynamoDbTables.class);

  static final Duration POLL = Duration.ofSeconds(1);
  static final Duration MAX_WAIT = Duration.ofMinutes(5);

  private DynamoDbTables() {}

  /**
   * Ensures {@code table} exists and is ACTIVE with Feast's key schema.
   *
   * @throws InvalidOnlineStoreConfigException when it exists with another key schema
   */
  static void ensure(DynamoDbClient client, String table, Map<String, String> tags) {
    TableDescription description;
    try {
      description = client.describeTable(request -> request.tableName(table)).table();
    } catch (ResourceNotFoundException missing) {
      description = create(client, table, tags);
    }
    if (description.tableStatus() != TableStatus.ACTIVE) {
      description =
          waiter(client)
              .waitUntilTableExists(request -> request.tableName(table))
              .matched()
              .response()
              .orElseThrow(
                  () -> new IllegalStateException("Table " + table + " did not become ACTIVE"))
              .table();
    }
    checkKeySchema(table, description);
  }

  /**
   * The SDK's waiter polls every 20 s; a new on-demand table is ACTIVE within seconds, so poll
   * every second, for at most {@link #MAX_WAIT}.
   */
  private static DynamoDbWaiter waiter(DynamoDbClient client) {
    return DynamoDbWaiter.builder()
        .client(client)
        .overrideConfiguration(
            WaiterOverrideConfiguration.builder()
                .backoffStrategy(FixedDelayBackoffStrategy.create(POLL))
                .maxAttempts((int) (MAX_WAIT.toMillis() / POLL.toMillis()))
                .build())
        .build();
  }

  private static TableDescription create(
      DynamoDbClient client, String table, Map<String, String> tags) {
    CreateTableRequest.Builder request =
        CreateTableRequest.builder()
            .tableName(table)
            .keySchema(
                KeySchemaElement.builder()
                    .attributeName(DynamoDbItems.ENTITY_ID)
                    .keyType(KeyType.HASH)
                    .build())
            .attributeDefinitions(
                AttributeDefinition.builder()
                    .attributeName(DynamoDbItems.ENTITY_ID)
                    .attributeType(ScalarAttributeType.S)
                    .build())
            .billingMode(BillingMode.PAY_PER_REQUEST);
    // As Feast: no Tags parameter at all when there are none (it would need TagResource rights).
    if (!tags.isEmpty()) {
      request.tags(
          tags.entrySet().stream()
              .map(tag -> Tag.builder().key(tag.getKey()).value(tag.getValue()).build())
              .toList());
    }
    try {
      TableDescription created = client.createTable(request.build()).tableDescription();
      LOG.info(
          "Created DynamoDB table {} (first run for this feature view): hash key entity_id (S),"
              + " on-demand billing, tags {}",
          table,
          tags.keySet());
      return created;
    } catch (ResourceInUseException raced) {
      // Another writer of the same view created it first.
      return client.describeTable(describe -> describe.tableName(table)).table();
    }
  }

  private static void checkKeySchema(String table, TableDescription description) {
    List<KeySchemaElement> keys = description.keySchema();
    boolean hashKeyIsEntityId =
        keys.size() == 1
            && keys.get(0).keyType() == KeyType.HASH
            && keys.get(0).attributeName().equals(DynamoDbItems.ENTITY_ID);
    boolean entityIdIsString =
        description.attributeDefinitions().stream()
            .anyMatch(
                definition ->
                    definition.attributeName().equals(DynamoDbItems.ENTITY_ID)
                        && definition.attributeType() == ScalarAttributeType.S);
    if (!hashKeyIsEntityId || !entityIdIsString) {
      throw new InvalidOnlineStoreConfigException(
          "Cannot write to DynamoDB table "
              + table
              + ": its key schema is "
              + describe(description)
              + ", not Feast's hash key entity_id (S); use another table_name_template or"
              + " remove the table");
    }
  }

  private static String describe(TableDescription description) {
    return description.keySchema().stream()
            .map(key -> key.keyType() + " " + key.attributeName())
            .toList()
        + " with attributes "
        + description.attributeDefinitions().stream()
            .map(definition -> definition.attributeName() + " (" + definition.attributeType() + ")")
            .toList();
  }
}
