package io.sluice.online.dynamodb;

import static feast.proto.types.ValueProto.ValueType.Enum.INT64;
import static feast.proto.types.ValueProto.ValueType.Enum.STRING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import feast.proto.types.ValueProto.Value;
import io.sluice.common.feast.Column;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.InvalidFeatureValueException;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineWriter;
import io.sluice.online.RaceAssertions;
import io.sluice.online.RaceAssertions.Held;
import io.sluice.online.RaceWorkload;
import io.sluice.online.TestViews;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteStats;
import io.sluice.online.stores.OnlineStores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/** The DynamoDB writer against a real DynamoDB API (dynalite), items compared with Feast's. */
@Timeout(300)
class DynamoDbOnlineWriterTest extends DynaliteTestBase {
  private static final Instant T42 = Instant.parse("2024-05-01T12:30:42Z");

  static DynamoDbOnlineStoreConfig config(Map<String, String> tags) {
    return config(tags, DynamoDbStore.DEFAULT_REQUESTS_IN_FLIGHT, 0);
  }

  /** A view of its own project, so each test has fresh tables. */
  static FeatureViewSchema view() {
    return view("p", List.of(new Column("trips", INT64), new Column("name", STRING)));
  }

  static OnlineWriter open(FeatureViewSchema view, WriteMode mode) {
    return OnlineStores.openWriter(config(Map.of()), view, TestViews.options(mode));
  }

  static FeatureRow row(long id, Instant time, long trips) {
    return FeatureRow.of(List.of(id), time, List.of(trips, "n" + trips));
  }

  static String table(FeatureViewSchema view) {
    return view.project() + "." + view.name();
  }

  static String entityId(long id) {
    return Hashing.murmur3_128().hashBytes(TestViews.int64EntityKey("driver_id", id)).toString();
  }

  static Map<String, AttributeValue> item(FeatureViewSchema view, long id) {
    return raw.getItem(
            get ->
                get.tableName(table(view))
                    .key(Map.of("entity_id", AttributeValue.fromS(entityId(id))))
                    .consistentRead(true))
        .item();
  }

  /** An item as Feast's _to_client_write_item builds it, with any event_ts text. */
  static void putAsFeast(FeatureViewSchema view, long id, String eventTs, long trips) {
    raw.putItem(
        put ->
            put.tableName(table(view))
                .item(
                    Map.of(
                        "entity_id", AttributeValue.fromS(entityId(id)),
                        "event_ts", AttributeValue.fromS(eventTs),
                        "values",
                            AttributeValue.fromM(
                                Map.of(
                                    "trips", bytes(Value.newBuilder().setInt64Val(trips).build()),
                                    "name",
                                        bytes(
                                            Value.newBuilder()
                                                .setStringVal("n" + trips)
                                                .build()))))));
  }

  static AttributeValue bytes(Value value) {
    return AttributeValue.fromB(SdkBytes.fromByteArray(value.toByteArray()));
  }

  static long trips(FeatureViewSchema view, long id) throws Exception {
    return Value.parseFrom(item(view, id).get("values").m().get("trips").b().asByteArray())
        .getInt64Val();
  }

  @Test
  void itemsAreFeastsByteForByte() {
    FeatureViewSchema view = view();
    try (OnlineWriter writer = open(view, WriteMode.NEWER_ONLY)) {
      writer.write(List.of(row(1001, T42, 7), row(1002, T42.plusMillis(500), 8)));
    }
    Map<String, AttributeValue> item = item(view, 1001);
    assertThat(item.keySet()).containsExactlyInAnyOrder("entity_id", "event_ts", "values");
    assertThat(item.get("entity_id").s()).isEqualTo(entityId(1001)).hasSize(32);
    assertThat(item.get("event_ts").s()).isEqualTo("2024-05-01 12:30:42+00:00");
    assertThat(item.get("values").m())
        .isEqualTo(
            Map.of(
                "trips", bytes(Value.newBuilder().setInt64Val(7).build()),
                "name", bytes(Value.newBuilder().setStringVal("n7").build())));
    assertThat(item(view, 1002).get("event_ts").s()).isEqualTo("2024-05-01 12:30:42.500000+00:00");
    try (var reader =
        OnlineStores.openReader(
            config(Map.of()), view, TestViews.options(WriteMode.FORCE).keyFormat())) {
      var stored = reader.read(List.of(1002L)).orElseThrow();
      assertThat(stored.eventTimestamp()).isEqualTo(T42.plusMillis(500));
      assertThat(stored.values()).isEqualTo(Map.of("trips", 8L, "name", "n8"));
      assertThat(reader.read(List.of(9L))).isEmpty();
    }
  }

  @Test
  void newerOnlyKeepsNewerItemsFeastWroteAndReplacesOlderOnes() throws Exception {
    FeatureViewSchema view = view();
    try (OnlineWriter writer = open(view, WriteMode.NEWER_ONLY)) {
      // ids 1-3 older, 4-6 newer, 7 equal, 8 older with a non-UTC offset, 9 newer with one,
      // 10 only a fraction newer, 11 absent
      putAsFeast(view, 1, "2024-05-01 12:30:41+00:00", 1);
      putAsFeast(view, 2, "2024-05-01 12:30:41.999999+00:00", 1);
      putAsFeast(view, 3, "2023-12-31 23:59:59+00:00", 1);
      putAsFeast(view, 4, "2024-05-01 12:30:43+00:00", 1);
      putAsFeast(view, 5, "2024-05-01 12:30:42.000001+00:00", 1);
      putAsFeast(view, 6, "2025-01-01 00:00:00+00:00", 1);
      putAsFeast(view, 7, "2024-05-01 12:30:42+00:00", 1);
      putAsFeast(view, 8, "2024-05-01 14:30:41+02:00", 1);
      putAsFeast(view, 9, "2024-05-01 08:30:43-04:00", 1);
      putAsFeast(view, 10, "2024-05-01 12:30:42.500000+00:00", 1);
      List<FeatureRow> rows = new ArrayList<>();
      for (long id = 1; id <= 11; id++) {
        rows.add(row(id, id == 10 ? T42.plusMillis(600) : T42, 2));
      }
      WriteStats stats = writer.write(rows);
      assertThat(stats).isEqualTo(new WriteStats(6, 5));
      assertThat(writer.stats()).isEqualTo(stats);
    }
    for (long id : new long[] {1, 2, 3, 8, 10, 11}) {
      assertThat(trips(view, id)).as("id %s", id).isEqualTo(2);
    }
    for (long id : new long[] {4, 5, 6, 7, 9}) {
      assertThat(trips(view, id)).as("id %s", id).isEqualTo(1);
    }
    assertThat(item(view, 8).get("event_ts").s()).isEqualTo("2024-05-01 12:30:42+00:00");
    assertThat(item(view, 9).get("event_ts").s()).isEqualTo("2024-05-01 08:30:43-04:00");
  }

  @Test
  void skipsCostAReadNotAWriteAndAFirstLoadStopsReading() throws Exception {
    FeatureViewSchema view = view();
    List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    DynamoDbOnlineStoreConfig config = config(Map.of());
    try (OnlineWriter writer =
        new DynamoDbOnlineWriter(
            config,
            view,
            TestViews.options(WriteMode.NEWER_ONLY),
            DynamoDbClients.open(config, List.of(recorder(requests))))) {
      // 1: an empty table: one read finds nothing, 30 writes on absence.
      assertThat(writer.write(rows(0, 30, T42, 1))).isEqualTo(new WriteStats(30, 0));
      assertThat(counts(requests)).isEqualTo(List.of(1L, 30L, 0L));
      // 2: the last read found nothing, so new entities are written without reading.
      requests.clear();
      assertThat(writer.write(rows(30, 60, T42, 1))).isEqualTo(new WriteStats(30, 0));
      assertThat(counts(requests)).isEqualTo(List.of(0L, 30L, 0L));
      // 3: the same entities again: each write on absence fails, is read back and skipped.
      requests.clear();
      assertThat(writer.write(rows(0, 30, T42, 2))).isEqualTo(new WriteStats(0, 30));
      assertThat(counts(requests)).isEqualTo(List.of(0L, 30L, 30L));
      // 4: items were found, so reading is back: skips cost one BatchGetItem, no write.
      requests.clear();
      assertThat(writer.write(rows(0, 30, T42, 3))).isEqualTo(new WriteStats(0, 30));
      assertThat(counts(requests)).isEqualTo(List.of(1L, 0L, 0L));
      // 5: newer rows over stored items: read once, written on the text read.
      requests.clear();
      assertThat(writer.write(rows(0, 30, T42.plusSeconds(1), 4))).isEqualTo(new WriteStats(30, 0));
      assertThat(counts(requests)).isEqualTo(List.of(1L, 30L, 0L));
    }
    for (long id = 0; id < 30; id++) {
      assertThat(trips(view, id)).as("id %s", id).isEqualTo(4);
    }
    for (long id = 30; id < 60; id++) {
      assertThat(trips(view, id)).as("id %s", id).isEqualTo(1);
    }
  }

  @Test
  void aWriteThatLosesARaceAfterItsReadComparesAgain() throws Exception {
    FeatureViewSchema view = view();
    // One request at a time, so the other writer's changes land before the second write is sent.
    DynamoDbOnlineStoreConfig base = config(Map.of());
    DynamoDbOnlineStoreConfig config =
        new DynamoDbOnlineStoreConfig(
            base.region(), base.endpointUrl(), base.tableNameTemplate(), base.tags(), 1);
    // Another writer changes ids 1 and 2 between this writer's read and its write: id 1 to a newer
    // value (this write must then be skipped), id 2 to another older one (written over it).
    ExecutionInterceptor otherWriter =
        new ExecutionInterceptor() {
          private final AtomicInteger puts = new AtomicInteger();

          @Override
          public void beforeExecution(
              Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof PutItemRequest put
                && put.expected() != null
                && !put.expected().isEmpty()
                && puts.incrementAndGet() == 1) {
              putAsFeast(view, 1, "2024-05-01 12:30:50+00:00", 7);
              putAsFeast(view, 2, "2024-05-01 12:30:40.500000+00:00", 7);
            }
          }
        };
    try (OnlineWriter writer =
        new DynamoDbOnlineWriter(
            config,
            view,
            TestViews.options(WriteMode.NEWER_ONLY),
            DynamoDbClients.open(config, List.of(otherWriter)))) {
      putAsFeast(view, 1, "2024-05-01 12:30:00+00:00", 1);
      putAsFeast(view, 2, "2024-05-01 12:30:00+00:00", 1);
      assertThat(writer.write(List.of(row(1, T42, 2), row(2, T42, 2))))
          .isEqualTo(new WriteStats(1, 1));
    }
    assertThat(trips(view, 1)).isEqualTo(7);
    assertThat(item(view, 1).get("event_ts").s()).isEqualTo("2024-05-01 12:30:50+00:00");
    assertThat(trips(view, 2)).isEqualTo(2);
    assertThat(item(view, 2).get("event_ts").s()).isEqualTo("2024-05-01 12:30:42+00:00");
  }

  @Test
  void aStoredTimeFeastNeverWritesFailsTheBatchWithItsProgress() throws Exception {
    FeatureViewSchema view = view();
    try (OnlineWriter writer = open(view, WriteMode.NEWER_ONLY)) {
      assertThat(writer.write(rows(0, 3, T42, 1))).isEqualTo(new WriteStats(3, 0));
      // Skips found stored items, so the next batch reads first and meets the bad text there.
      assertThat(writer.write(rows(0, 3, T42, 1))).isEqualTo(new WriteStats(0, 3));
      putAsFeast(view, 5, "yesterday", 1);
      assertThatThrownBy(() -> writer.write(rows(0, 10, T42.plusSeconds(1), 2)))
          .isInstanceOfSatisfying(
              InvalidFeatureValueException.class,
              e -> {
                assertThat(e.acknowledged()).isEqualTo(new WriteStats(3, 3));
                assertThat(e.rowsNotWritten()).isEqualTo(10);
              })
          .hasMessageContaining(
              "in DynamoDB table "
                  + table(view)
                  + ": its event_ts 'yesterday' is not in a form Feast writes");
    }
    assertThat(trips(view, 5)).isEqualTo(1);
  }

  @Test
  void aWriteThatLandedButWhoseAnswerWasLostCountsAsWritten() throws Exception {
    FeatureViewSchema view = view();
    DynamoDbOnlineStoreConfig config = config(Map.of());
    // The first PutItem reaches dynalite and is stored; its answer is then "lost" (mocked: a
    // connection reset after transmission), so the writer retries a write that already landed.
    ExecutionInterceptor loseFirstAnswer =
        new ExecutionInterceptor() {
          private final AtomicInteger puts = new AtomicInteger();

          @Override
          public void afterTransmission(
              Context.AfterTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof PutItemRequest && puts.incrementAndGet() == 1) {
              throw software.amazon.awssdk.core.exception.SdkClientException.builder()
                  .message("answer lost")
                  .cause(new java.io.IOException("Connection reset"))
                  .build();
            }
          }
        };
    try (OnlineWriter writer =
        new DynamoDbOnlineWriter(
            config,
            view,
            TestViews.options(WriteMode.NEWER_ONLY),
            DynamoDbClients.open(config, List.of(loseFirstAnswer)))) {
      WriteStats stats = writer.write(List.of(row(1, T42, 2)));
      assertThat(stats.written()).isEqualTo(1);
      assertThat(stats.skippedNotNewer()).isZero();
      assertThat(stats.retries()).isEqualTo(1);
    }
    assertThat(trips(view, 1)).isEqualTo(2);
  }

  private static List<FeatureRow> rows(long from, long to, Instant time, long trips) {
    List<FeatureRow> rows = new ArrayList<>();
    for (long id = from; id < to; id++) {
      rows.add(row(id, time, trips));
    }
    return rows;
  }

  /** BatchGetItem, PutItem and GetItem requests among {@code requests}. */
  private static List<Long> counts(List<SdkRequest> requests) {
    return List.of(
        requests.stream().filter(BatchGetItemRequest.class::isInstance).count(),
        requests.stream().filter(PutItemRequest.class::isInstance).count(),
        requests.stream().filter(GetItemRequest.class::isInstance).count());
  }

  @Test
  void forceOverwritesInBatchesOf25() throws Exception {
    FeatureViewSchema view = view();
    List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    DynamoDbOnlineStoreConfig config = config(Map.of());
    List<FeatureRow> rows = new ArrayList<>();
    for (long id = 0; id < 60; id++) {
      rows.add(row(id, T42, 3));
    }
    try (OnlineWriter writer =
        new DynamoDbOnlineWriter(
            config,
            view,
            TestViews.options(WriteMode.FORCE),
            DynamoDbClients.open(config, List.of(recorder(requests))))) {
      putAsFeast(view, 0, "2030-01-01 00:00:00+00:00", 1);
      assertThat(writer.write(rows)).isEqualTo(new WriteStats(60, 0));
    }
    List<Integer> batchSizes =
        requests.stream()
            .filter(BatchWriteItemRequest.class::isInstance)
            .map(r -> ((BatchWriteItemRequest) r).requestItems().get(table(view)).size())
            .sorted()
            .toList();
    assertThat(batchSizes).containsExactly(10, 25, 25);
    assertThat(trips(view, 0)).isEqualTo(3);
    assertThat(item(view, 0).get("event_ts").s()).isEqualTo("2024-05-01 12:30:42+00:00");
  }

  @Test
  void aMissingTableIsCreatedAsFeastCreatesIt() {
    FeatureViewSchema view = view();
    List<SdkRequest> requests = new CopyOnWriteArrayList<>();
    DynamoDbOnlineStoreConfig config = config(Map.of("team", "ml"));
    new DynamoDbOnlineWriter(
            config,
            view,
            TestViews.options(WriteMode.NEWER_ONLY),
            DynamoDbClients.open(config, List.of(recorder(requests))))
        .close();
    // dynalite drops CreateTable's Tags, so the request is checked as sent.
    CreateTableRequest create =
        requests.stream()
            .filter(CreateTableRequest.class::isInstance)
            .map(CreateTableRequest.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(create.tags()).containsExactly(Tag.builder().key("team").value("ml").build());
    var table = raw.describeTable(d -> d.tableName(table(view))).table();
    assertThat(table.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
    assertThat(table.keySchema()).hasSize(1);
    assertThat(table.keySchema().get(0).attributeName()).isEqualTo("entity_id");
    assertThat(table.keySchema().get(0).keyType()).isEqualTo(KeyType.HASH);
    assertThat(table.attributeDefinitions().get(0).attributeType())
        .isEqualTo(ScalarAttributeType.S);
  }

  @Test
  void aTableWithAnotherKeySchemaIsRefused() {
    FeatureViewSchema view = view();
    raw.createTable(
        create ->
            create
                .tableName(table(view))
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
                .attributeDefinitions(
                    a -> a.attributeName("id").attributeType(ScalarAttributeType.N))
                .billingMode(BillingMode.PAY_PER_REQUEST));
    assertThatThrownBy(() -> open(view, WriteMode.NEWER_ONLY))
        .isInstanceOf(InvalidOnlineStoreConfigException.class)
        .hasMessage(
            "Cannot write to DynamoDB table "
                + table(view)
                + ": its key schema is [HASH id] with attributes [id (N)], not Feast's hash key"
                + " entity_id (S); use another table_name_template or remove the table");
  }

  @Test
  void anItemOver400KbNamesTheEntityAndView() {
    FeatureViewSchema view = view();
    try (OnlineWriter writer = open(view, WriteMode.NEWER_ONLY)) {
      FeatureRow big = FeatureRow.of(List.of(77L), T42, List.of(1L, "x".repeat(410_000)));
      assertThatThrownBy(() -> writer.write(List.of(row(1, T42, 1), big)))
          .isInstanceOf(InvalidFeatureValueException.class)
          .hasMessageMatching(
              "Cannot write entity driver_id=77 of feature view drivers to DynamoDB table "
                  + table(view).replace(".", "\\.")
                  + ": its item is 41\\d{4} bytes, over DynamoDB's limit of 409600 bytes \\(400 KB\\)");
    }
    assertThat(item(view, 1)).isEmpty(); // nothing of the batch was sent
  }

  @Test
  void eightThreadsRacingLeaveTheNewestValueOfEveryKey() throws Exception {
    RaceAssertions.raceThreads(
        8,
        () ->
            OnlineStores.openWriter(
                config(Map.of()), RaceWorkload.view(), TestViews.options(WriteMode.NEWER_ONLY)));
    FeatureViewSchema view = RaceWorkload.view();
    RaceAssertions.assertNewestWins(
        8,
        key -> {
          Map<String, AttributeValue> item =
              raw.getItem(
                      get ->
                          get.tableName(table(view))
                              .key(
                                  Map.of(
                                      "entity_id",
                                      AttributeValue.fromS(
                                          Hashing.murmur3_128()
                                              .hashBytes(TestViews.int64EntityKey("id", key))
                                              .toString())))
                              .consistentRead(true))
                  .item();
          if (item.isEmpty()) {
            return null;
          }
          try {
            return new Held(
                DynamoDbItems.parseEventTs(item.get("event_ts").s()).orElseThrow(),
                Value.parseFrom(item.get("values").m().get("ts_copy").b().asByteArray())
                    .getInt64Val(),
                Value.parseFrom(item.get("values").m().get("writer_free").b().asByteArray())
                    .getInt64Val());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  static ExecutionInterceptor recorder(List<SdkRequest> requests) {
    return new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        requests.add(context.request());
      }
    };
  }
}
