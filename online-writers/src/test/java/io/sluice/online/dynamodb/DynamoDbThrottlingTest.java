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
import io.sluice.online.OnlineStoreUnavailableException;
import io.sluice.online.TestViews;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The DynamoDB writer under throttling. Dynalite never throttles, so the throttling is a mock: an
 * SDK {@link ExecutionInterceptor} on the writer's client answers chosen requests with DynamoDB's
 * throttling errors before they are sent, and makes BatchWriteItem leave items unprocessed (it
 * sends dynalite only part of the batch and reports the rest as {@code UnprocessedItems}, as
 * DynamoDB does for items it throttled). Everything else is real dynalite: what is stored is read
 * back from it.
 */
@Timeout(120)
class DynamoDbThrottlingTest extends DynaliteTestBase {
  private static final Instant T = Instant.parse("2024-05-01T12:00:00Z");

  static DynamoDbOnlineStoreConfig config(long targetWriteCapacity) {
    return config(Map.of(), 8, targetWriteCapacity);
  }

  static FeatureViewSchema view() {
    return view("throttled", List.of(new Column("trips", INT64), new Column("name", STRING)));
  }

  static List<FeatureRow> rows(int count) {
    List<FeatureRow> rows = new ArrayList<>();
    for (long id = 1; id <= count; id++) {
      rows.add(FeatureRow.of(List.of(id), T, List.of(id * 10, "driver-" + id)));
    }
    return rows;
  }

  static String entityId(long id) {
    return Hashing.murmur3_128().hashBytes(TestViews.int64EntityKey("driver_id", id)).toString();
  }

  static long storedTrips(FeatureViewSchema view, long id) throws Exception {
    Map<String, AttributeValue> item =
        raw.getItem(
                get ->
                    get.tableName(view.project() + "." + view.name())
                        .key(Map.of("entity_id", AttributeValue.fromS(entityId(id))))
                        .consistentRead(true))
            .item();
    return Value.parseFrom(item.get("values").m().get("trips").b().asByteArray()).getInt64Val();
  }

  static DynamoDbOnlineWriter open(
      FeatureViewSchema view, WriteMode mode, Duration budget, ExecutionInterceptor throttle) {
    return new DynamoDbOnlineWriter(
        config(0),
        view,
        TestViews.options(mode).withRetryBudget(budget),
        DynamoDbClients.open(config(0), List.of(throttle)));
  }

  /** DynamoDB's three throttling errors, in turn. */
  static AwsServiceException throttlingError(int turn) {
    return switch (turn % 3) {
      case 0 ->
          ProvisionedThroughputExceededException.builder()
              .message("The level of configured provisioned throughput for the table was exceeded")
              .statusCode(400)
              .awsErrorDetails(details("ProvisionedThroughputExceededException"))
              .build();
      case 1 ->
          DynamoDbException.builder()
              .message("Rate of requests exceeds the allowed throughput")
              .statusCode(400)
              .awsErrorDetails(details("ThrottlingException"))
              .build();
      default ->
          RequestLimitExceededException.builder()
              .message("Throughput exceeds the current throughput limit for your account")
              .statusCode(400)
              .awsErrorDetails(details("RequestLimitExceeded"))
              .build();
    };
  }

  private static AwsErrorDetails details(String code) {
    return AwsErrorDetails.builder().errorCode(code).serviceName("DynamoDb").build();
  }

  /**
   * Mock throttling (see the class comment). PutItem: the first {@code putThrottles} attempts for
   * each entity {@code throttledPut} accepts are throttled. BatchWriteItem: a full batch (25 items)
   * is throttled as a whole the first time it is sent; a batch of more than 5 items gets only its
   * first items through, its last 5 come back unprocessed. Records what dynalite really wrote.
   */
  static final class ThrottlingInterceptor implements ExecutionInterceptor {
    private static final ExecutionAttribute<List<WriteRequest>> HELD_BACK =
        new ExecutionAttribute<>("sluice.test.heldBack");

    private final Predicate<String> throttledPut;
    private final int putThrottles;
    private final boolean always;
    private boolean heldBackThrottled;
    private final Map<String, AtomicInteger> putAttempts = new ConcurrentHashMap<>();
    private final Set<String> batchesThrottled = ConcurrentHashMap.newKeySet();
    private final AtomicInteger turns = new AtomicInteger();
    final AtomicInteger throttlesSent = new AtomicInteger();
    final AtomicInteger itemsHeldBack = new AtomicInteger();

    /** entity_id → how often dynalite stored it. */
    final Map<String, AtomicInteger> stored = new ConcurrentHashMap<>();

    ThrottlingInterceptor(Predicate<String> throttledPut, int putThrottles) {
      this(throttledPut, putThrottles, false);
    }

    private ThrottlingInterceptor(
        Predicate<String> throttledPut, int putThrottles, boolean always) {
      this.throttledPut = throttledPut;
      this.putThrottles = putThrottles;
      this.always = always;
    }

    /**
     * BatchWriteItem: every batch of more than 5 items gets all but its last 5 stored, and every
     * resend of those 5 is throttled, always.
     */
    static ThrottlingInterceptor unprocessedForever() {
      ThrottlingInterceptor interceptor = new ThrottlingInterceptor(id -> false, 0);
      interceptor.heldBackThrottled = true;
      return interceptor;
    }

    /** Throttles every write request, always. */
    static ThrottlingInterceptor forever() {
      return new ThrottlingInterceptor(id -> true, Integer.MAX_VALUE, true);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      SdkRequest request = context.request();
      if (request instanceof PutItemRequest put) {
        String id = put.item().get("entity_id").s();
        if (throttledPut.test(id)
            && putAttempts.computeIfAbsent(id, k -> new AtomicInteger()).getAndIncrement()
                < putThrottles) {
          throttlesSent.incrementAndGet();
          throw throttlingError(turns.getAndIncrement());
        }
      } else if (request instanceof BatchWriteItemRequest batch) {
        List<WriteRequest> items = batch.requestItems().values().iterator().next();
        if (always
            || (heldBackThrottled && items.size() <= 5)
            || (!heldBackThrottled && items.size() == 25 && batchesThrottled.add(firstId(items)))) {
          throttlesSent.incrementAndGet();
          throw throttlingError(turns.getAndIncrement());
        }
      }
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
      if (context.request() instanceof BatchWriteItemRequest batch) {
        String table = batch.requestItems().keySet().iterator().next();
        List<WriteRequest> items = batch.requestItems().get(table);
        if (items.size() > 5) {
          attributes.putAttribute(HELD_BACK, items.subList(items.size() - 5, items.size()));
          itemsHeldBack.addAndGet(5);
          return batch.toBuilder()
              .requestItems(Map.of(table, items.subList(0, items.size() - 5)))
              .build();
        }
      }
      return context.request();
    }

    @Override
    public SdkResponse modifyResponse(
        Context.ModifyResponse context, ExecutionAttributes attributes) {
      List<WriteRequest> heldBack = attributes.getAttribute(HELD_BACK);
      if (heldBack != null && context.response() instanceof BatchWriteItemResponse response) {
        String table =
            ((BatchWriteItemRequest) context.request()).requestItems().keySet().iterator().next();
        return response.toBuilder().unprocessedItems(Map.of(table, heldBack)).build();
      }
      return context.response();
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof PutItemRequest put) {
        count(put.item().get("entity_id").s());
      } else if (context.request() instanceof BatchWriteItemRequest batch) {
        // The request as sent: what dynalite wrote (held-back items were never sent).
        batch.requestItems().values().iterator().next().stream()
            .map(request -> request.putRequest().item().get("entity_id").s())
            .forEach(this::count);
      }
    }

    private void count(String id) {
      stored.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    }

    private static String firstId(List<WriteRequest> items) {
      return items.get(0).putRequest().item().get("entity_id").s();
    }

    Map<String, Integer> storedCounts() {
      return stored.entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    }
  }

  private static Map<String, Integer> onceEach(int count) {
    return java.util.stream.LongStream.rangeClosed(1, count)
        .boxed()
        .collect(Collectors.toMap(DynamoDbThrottlingTest::entityId, id -> 1));
  }

  @Test
  void newerOnlyWritesEveryRowExactlyOnceThroughThrottlingAndCountsTheRetries() throws Exception {
    FeatureViewSchema view = view();
    Set<String> throttled =
        Set.of(entityId(3), entityId(6), entityId(9), entityId(12), entityId(15), entityId(18));
    ThrottlingInterceptor throttle = new ThrottlingInterceptor(throttled::contains, 2);
    WriteStats stats;
    try (DynamoDbOnlineWriter writer =
        open(view, WriteMode.NEWER_ONLY, Duration.ofSeconds(30), throttle)) {
      stats = writer.write(rows(20));
      assertThat(writer.stats()).isEqualTo(stats);
    }

    // Six entities throttled twice each, with each of the three errors in turn.
    assertThat(throttle.throttlesSent).hasValue(12);
    assertThat(stats).isEqualTo(new WriteStats(20, 0, 12, 12));
    assertThat(throttle.storedCounts()).isEqualTo(onceEach(20));
    for (long id = 1; id <= 20; id++) {
      assertThat(storedTrips(view, id)).as("id %s", id).isEqualTo(id * 10);
    }
  }

  @Test
  void forceWritesEveryRowExactlyOnceThroughThrottlingAndUnprocessedItems() throws Exception {
    FeatureViewSchema view = view();
    ThrottlingInterceptor throttle = new ThrottlingInterceptor(id -> false, 0);
    WriteStats stats;
    try (DynamoDbOnlineWriter writer =
        open(view, WriteMode.FORCE, Duration.ofSeconds(30), throttle)) {
      stats = writer.write(rows(60));
    }

    // Batches of 25, 25, 10. Each 25 is throttled once, then leaves 5 unprocessed, then the 5
    // pass: 2 retries each. The 10 leave 5 unprocessed, then pass: 1 retry. All are throttling.
    assertThat(throttle.throttlesSent).hasValue(2);
    assertThat(throttle.itemsHeldBack).hasValue(15);
    assertThat(stats).isEqualTo(new WriteStats(60, 0, 5, 5));
    assertThat(throttle.storedCounts()).isEqualTo(onceEach(60));
    for (long id = 1; id <= 60; id++) {
      assertThat(storedTrips(view, id)).as("id %s", id).isEqualTo(id * 10);
    }
  }

  @Test
  void aForceBatchThatFailsPartWayCountsTheItemsItStored() {
    FeatureViewSchema view = view();
    ThrottlingInterceptor throttle = ThrottlingInterceptor.unprocessedForever();
    try (DynamoDbOnlineWriter writer =
        open(view, WriteMode.FORCE, Duration.ofMillis(300), throttle)) {
      // Batches of 25, 25, 10: 20, 20 and 5 stored, the last 5 of each never.
      assertThatThrownBy(() -> writer.write(rows(60)))
          .isInstanceOfSatisfying(
              OnlineStoreUnavailableException.class,
              e -> {
                assertThat(e.acknowledged().written()).isEqualTo(45);
                assertThat(e.rowsNotWritten()).isEqualTo(15);
              });
    }
    assertThat(throttle.stored).hasSize(45);
  }

  @Test
  void aThrottleThatNeverStopsEndsWithinTheRetryBudgetAsUnavailable() {
    for (WriteMode mode : WriteMode.values()) {
      FeatureViewSchema view = view();
      ThrottlingInterceptor throttle = ThrottlingInterceptor.forever();
      try (DynamoDbOnlineWriter writer = open(view, mode, Duration.ofMillis(300), throttle)) {
        assertThatThrownBy(() -> writer.write(rows(3)))
            .as("%s", mode)
            .isInstanceOfSatisfying(
                OnlineStoreUnavailableException.class,
                e -> {
                  assertThat(e.rowsNotWritten()).isEqualTo(3);
                  assertThat(e.acknowledged().acknowledged()).isZero();
                  assertThat(e.acknowledged().retries()).isPositive();
                  assertThat(e.acknowledged().throttled()).isEqualTo(e.acknowledged().retries());
                })
            .hasMessageContaining("within the retry budget of 0.3 s: ")
            .hasMessageContaining(" (dynamodb at " + server.endpointUrl() + " (us-east-1)")
            .hasMessageContaining("3 rows of this batch not written, 0 rows acknowledged");
        assertThat(writer.stats().retries()).isPositive();
        assertThat(writer.stats().throttled()).isEqualTo(writer.stats().retries());
      }
      assertThat(throttle.stored).as("%s: nothing reached dynalite", mode).isEmpty();
    }
  }

  @Test
  void throttlingIsToldApartFromOtherRetriedFailures() {
    assertThat(DynamoDbErrors.isThrottling((Throwable) throttlingError(0))).isTrue();
    assertThat(DynamoDbErrors.isThrottling((Throwable) throttlingError(1))).isTrue();
    assertThat(DynamoDbErrors.isThrottling((Throwable) throttlingError(2))).isTrue();
    assertThat(DynamoDbErrors.isThrottling(new DynamoDbErrors.UnprocessedItemsException(3)))
        .isTrue();
    AwsServiceException unavailable =
        DynamoDbException.builder()
            .message("Service unavailable")
            .statusCode(503)
            .awsErrorDetails(details("ServiceUnavailable"))
            .build();
    assertThat(DynamoDbErrors.isTransient(unavailable)).isTrue();
    assertThat(DynamoDbErrors.isThrottling((Throwable) unavailable)).isFalse();
  }

  @Test
  void writersWithoutThrottlingCountNone() {
    FeatureViewSchema view = view();
    try (DynamoDbOnlineWriter writer =
        new DynamoDbOnlineWriter(config(0), view, WriteOptions.defaults())) {
      assertThat(writer.write(rows(4))).isEqualTo(new WriteStats(4, 0, 0, 0));
    }
  }
}
