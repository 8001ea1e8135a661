package io.sluice.online.dynamodb;

import static feast.proto.types.ValueProto.ValueType.Enum.INT64;
import static feast.proto.types.ValueProto.ValueType.Enum.STRING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.common.feast.Column;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.TestViews;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * {@code sluice.dynamodb.target_write_capacity}: what a request costs, each writer's share, and
 * that the writer asks its limiter for every unit it spends. Asserted on the limiter's accounting,
 * not on how fast anything ran.
 */
@Timeout(120)
class DynamoDbWriteCapacityTest extends DynaliteTestBase {
  private static final Instant T = Instant.parse("2024-05-01T12:00:00Z");

  static DynamoDbOnlineStoreConfig config(long targetWriteCapacity) {
    return config(Map.of(), 4, targetWriteCapacity);
  }

  static FeatureViewSchema view() {
    return view("capacity", List.of(new Column("trips", INT64), new Column("notes", STRING)));
  }

  /** Rows whose items are between 1 KB and 2 KB: 1,500 characters of notes each. */
  static List<FeatureRow> rowsOfTwoUnits(int count) {
    List<FeatureRow> rows = new ArrayList<>();
    for (long id = 1; id <= count; id++) {
      rows.add(FeatureRow.of(List.of(id), T, List.of(id, "n".repeat(1500))));
    }
    return rows;
  }

  @Test
  void aRequestCostsOneUnitPerStartedKilobyteAndABatchTheSumOfItsItems() {
    assertThat(DynamoDbWriteCapacity.units(1)).isEqualTo(1);
    assertThat(DynamoDbWriteCapacity.units(1024)).isEqualTo(1);
    assertThat(DynamoDbWriteCapacity.units(1025)).isEqualTo(2);
    assertThat(DynamoDbWriteCapacity.units(400 * 1024)).isEqualTo(400);

    // DynamoDB's item size: attribute names' UTF-8 bytes plus the values' bytes.
    Map<String, AttributeValue> small = Map.of("entity_id", AttributeValue.fromS("a".repeat(32)));
    Map<String, AttributeValue> threeKb =
        Map.of(
            "entity_id",
            AttributeValue.fromS("b".repeat(32)),
            "values",
            AttributeValue.fromB(SdkBytes.fromByteArray(new byte[2100])));
    assertThat(DynamoDbWriteCapacity.units(small)).isEqualTo(1);
    assertThat(DynamoDbWriteCapacity.units(threeKb)).isEqualTo(3);
    assertThat(DynamoDbWriteCapacity.units(List.of(put(small), put(threeKb), put(small))))
        .isEqualTo(5);
  }

  private static WriteRequest put(Map<String, AttributeValue> item) {
    return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
  }

  @Test
  void theTargetIsSplitEvenlyAcrossTheWritersWritingAtOnce() {
    assertThat(DynamoDbWriteCapacity.share(200, 4).unitsPerSecond()).isEqualTo(50.0);
    assertThat(DynamoDbWriteCapacity.share(100, 3).unitsPerSecond()).isEqualTo(100.0 / 3);
    assertThat(DynamoDbWriteCapacity.share(200, 4).bounded()).isTrue();
    assertThat(DynamoDbWriteCapacity.share(0, 4).bounded()).isFalse();
    assertThat(DynamoDbWriteCapacity.share(0, 4).unitsPerSecond()).isZero();
    assertThatThrownBy(() -> DynamoDbWriteCapacity.share(-1, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid write capacity share: target -1 WCU/s over 4 writers");
    assertThatThrownBy(() -> DynamoDbWriteCapacity.share(200, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid write capacity share: target 200 WCU/s over 0 writers");
  }

  @Test
  void newerOnlyChargesEachPutItemItsUnitsBeforeSendingIt() {
    FeatureViewSchema view = view();
    // 200 WCU/s over 2 writers: this one may spend 100 a second.
    try (DynamoDbOnlineWriter writer =
        new DynamoDbOnlineWriter(
            config(200), view, TestViews.options(WriteMode.NEWER_ONLY).withParallelWriters(2))) {
      assertThat(writer.writeCapacity().unitsPerSecond()).isEqualTo(100.0);
      long started = System.nanoTime();
      assertThat(writer.write(rowsOfTwoUnits(40))).isEqualTo(new WriteStats(40, 0));
      double seconds = (System.nanoTime() - started) / 1e9;

      assertThat(writer.writeCapacity().requestsCharged()).isEqualTo(40);
      assertThat(writer.writeCapacity().unitsCharged()).isEqualTo(80);
      // 80 units at 100 a second cannot pass in much less than 0.8 s: a lower bound only (a slow
      // machine makes it longer, never shorter), with room for the limiter's first free unit.
      assertThat(seconds).isGreaterThan(0.6);

      // Rewriting the same rows: every condition fails, and each attempt is still charged.
      assertThat(writer.write(rowsOfTwoUnits(40))).isEqualTo(new WriteStats(0, 40));
      assertThat(writer.writeCapacity().requestsCharged()).isEqualTo(80);
      assertThat(writer.writeCapacity().unitsCharged()).isEqualTo(160);
    }
  }

  @Test
  void forceChargesEachBatchWriteItemTheSumOfItsItems() {
    FeatureViewSchema view = view();
    try (DynamoDbOnlineWriter writer =
        new DynamoDbOnlineWriter(
            config(1000), view, TestViews.options(WriteMode.FORCE).withParallelWriters(1))) {
      assertThat(writer.write(rowsOfTwoUnits(30))).isEqualTo(new WriteStats(30, 0));

      // Two calls, 25 and 5 items of 2 units each.
      assertThat(writer.writeCapacity().requestsCharged()).isEqualTo(2);
      assertThat(writer.writeCapacity().unitsCharged()).isEqualTo(60);
    }
  }

  @Test
  void withoutATargetNothingIsCharged() {
    try (DynamoDbOnlineWriter writer =
        new DynamoDbOnlineWriter(config(0), view(), TestViews.options(WriteMode.NEWER_ONLY))) {
      writer.write(rowsOfTwoUnits(5));
      assertThat(writer.writeCapacity().bounded()).isFalse();
      assertThat(writer.writeCapacity().unitsCharged()).isZero();
    }
  }
}
