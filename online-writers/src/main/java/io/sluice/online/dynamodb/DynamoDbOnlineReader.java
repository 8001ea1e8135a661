package io.sluice.online.dynamodb;

import com.google.protobuf.InvalidProtocolBufferException;
import feast.proto.types.ValueProto.Value;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineReader;
import io.sluice.online.format.EntityKeySerializer;
import io.sluice.online.format.ValueDecoder;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * Reads one view's items back with one consistent GetItem per entity, decoding Feast's layout: the
 * {@code event_ts} text (any form Feast writes) and each feature's serialized {@code Value}. A
 * feature missing from {@code values} reads as null. A missing table is a configuration error
 * (nothing was written to it yet, or the template names another table).
 */
final class DynamoDbOnlineReader implements OnlineReader {
  private final FeatureViewSchema view;
  private final EntityKeySerializer keys;
  private final DynamoDbClient client;
  private final String table;
  private final String location;

  DynamoDbOnlineReader(
      DynamoDbOnlineStoreConfig config, FeatureViewSchema view, EntityKeyFormat keyFormat) {
    this.view = view;
    this.keys = new EntityKeySerializer(view.joinKeys(), keyFormat);
    this.client = DynamoDbClients.open(config);
    this.table = config.tableNameTemplate().tableName(view.project(), view.name());
    this.location = config.location();
  }

  @Override
  public Optional<StoredValues> read(List<Object> joinKeyValues) {
    String entityId = DynamoDbKeys.entityId(keys.serialize(joinKeyValues));
    GetItemResponse response;
    try {
      response =
          client.getItem(
              get ->
                  get.tableName(table)
                      .key(Map.of(DynamoDbItems.ENTITY_ID, AttributeValue.fromS(entityId)))
                      .consistentRead(true));
    } catch (ResourceNotFoundException missing) {
      throw new InvalidOnlineStoreConfigException(
          "Cannot read feature view "
              + view.name()
              + " from DynamoDB table "
              + table
              + " ("
              + location
              + "): the table does not exist; no run has written this view yet, or"
              + " table_name_template names another table");
    }
    if (!response.hasItem() || response.item().isEmpty()) {
      return Optional.empty();
    }
    Map<String, AttributeValue> item = response.item();
    String eventTs = item.get(DynamoDbItems.EVENT_TS).s();
    Map<String, AttributeValue> stored =
        item.containsKey(DynamoDbItems.VALUES) ? item.get(DynamoDbItems.VALUES).m() : Map.of();
    Map<String, Object> values = new LinkedHashMap<>();
    try {
      for (var feature : view.features()) {
        AttributeValue value = stored.get(feature.name());
        values.put(
            feature.name(),
            value == null || value.b() == null
                ? null
                : ValueDecoder.toJava(Value.parseFrom(value.b().asByteArrayUnsafe())));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.of(
        new StoredValues(
            DynamoDbItems.parseEventTs(eventTs)
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "Cannot read entity_id "
                                + entityId
                                + " of "
                                + table
                                + ": event_ts '"
                                + eventTs
                                + "' is not in a form Feast writes")),
            values));
  }

  @Override
  public void close() {
    client.close();
  }
}
