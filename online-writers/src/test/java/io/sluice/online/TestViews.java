package io.sluice.online;

import static feast.proto.types.ValueProto.ValueType.Enum.BOOL;
import static feast.proto.types.ValueProto.ValueType.Enum.DOUBLE;
import static feast.proto.types.ValueProto.ValueType.Enum.FLOAT;
import static feast.proto.types.ValueProto.ValueType.Enum.INT64;
import static feast.proto.types.ValueProto.ValueType.Enum.STRING;
import static feast.proto.types.ValueProto.ValueType.Enum.STRING_LIST;

import io.sluice.common.feast.Column;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Feature views and rows the writer tests share. */
public final class TestViews {
  public static final String PROJECT = "test";

  private TestViews() {}

  /** driver_id INT64 → conv_rate FLOAT, acc_rate DOUBLE, trips INT64, name STRING, tags, active. */
  public static FeatureViewSchema driverStats() {
    return new FeatureViewSchema(
        PROJECT,
        "driver_hourly_stats",
        List.of(new Column("driver_id", INT64)),
        List.of(
            new Column("conv_rate", FLOAT),
            new Column("acc_rate", DOUBLE),
            new Column("trips", INT64),
            new Column("name", STRING),
            new Column("tags", STRING_LIST),
            new Column("active", BOOL)));
  }

  /** A second view on the same entity, to check that views share one Redis hash. */
  public static FeatureViewSchema driverProfile() {
    return new FeatureViewSchema(
        PROJECT,
        "driver_profile",
        List.of(new Column("driver_id", INT64)),
        List.of(new Column("rating", DOUBLE)));
  }

  /** {@code count} random rows of {@link #driverStats()} with ids from {@code firstId}. */
  public static List<FeatureRow> driverRows(long firstId, int count, Instant eventTime, long seed) {
    Random random = new Random(seed);
    List<FeatureRow> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<Object> values =
          Arrays.asList(
              random.nextFloat(),
              random.nextDouble(),
              random.nextLong(),
              "driver-" + random.nextInt(1000),
              List.of("t" + random.nextInt(9), "u"),
              i % 7 == 0 ? null : random.nextBoolean());
      rows.add(new FeatureRow(List.of(firstId + i), eventTime, eventTime.plusSeconds(1), values));
    }
    return rows;
  }

  /**
   * Feast's v3 entity key of one INT64 join key, built by hand from the byte layout (independent of
   * the serializer under test).
   */
  public static byte[] int64EntityKey(String joinKey, long value) {
    byte[] name = joinKey.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + 4 + 4 + name.length + 4 + 4 + 8)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(1)
        .putInt(2)
        .putInt(name.length)
        .put(name)
        .putInt(4)
        .putInt(8)
        .putLong(value)
        .array();
  }

  public static WriteOptions options(WriteMode mode) {
    return WriteOptions.defaults().withMode(mode);
  }
}
