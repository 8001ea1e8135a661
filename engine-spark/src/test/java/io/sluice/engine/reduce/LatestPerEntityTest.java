package io.sluice.engine.reduce;

import static feast.proto.types.ValueProto.ValueType.Enum.DOUBLE;
import static feast.proto.types.ValueProto.ValueType.Enum.INT64;
import static feast.proto.types.ValueProto.ValueType.Enum.STRING;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.common.feast.Column;
import io.sluice.engine.SparkTestBase;
import io.sluice.engine.reduce.LatestPerEntity.Reduction;
import io.sluice.engine.source.ViewColumns;
import io.sluice.registry.TimeInterval;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class LatestPerEntityTest extends SparkTestBase {
  private static final Instant START = Instant.parse("2024-05-01T00:00:00Z");
  private static final Instant END = Instant.parse("2024-05-02T00:00:00Z");
  private static final TimeInterval WINDOW = new TimeInterval(START, END);

  private static final StructType SCHEMA =
      new StructType()
          .add("driver_id", DataTypes.LongType)
          .add("ts", DataTypes.TimestampType)
          .add("created", DataTypes.TimestampType)
          .add("rate", DataTypes.DoubleType)
          .add("label", DataTypes.StringType);

  private static final ViewColumns VIEW =
      new ViewColumns(
          List.of(new Column("driver_id", INT64)),
          List.of(new Column("rate", DOUBLE), new Column("label", STRING)),
          "ts",
          "created");

  private Dataset<Row> frame(List<Row> rows) {
    return spark().createDataFrame(rows, SCHEMA);
  }

  private static Row row(Long id, String ts, String created, double rate, String label) {
    return RowFactory.create(
        id,
        ts == null ? null : Instant.parse(ts),
        created == null ? null : Instant.parse(created),
        rate,
        label);
  }

  /** driver id → (event time, rate, label), from the reduced rows. */
  private static Map<Long, List<Object>> byDriver(List<Row> rows) {
    Map<Long, List<Object>> result = new java.util.TreeMap<>();
    for (Row row : rows) {
      result.put(row.getLong(0), Arrays.asList(row.get(1), row.get(3), row.get(4)));
    }
    return result;
  }

  @Test
  void latestEventWinsAndTiesGoToTheGreatestCreatedTime() {
    Reduction reduction =
        LatestPerEntity.reduce(
            frame(
                List.of(
                    row(1L, "2024-05-01T01:00:00Z", "2024-05-01T01:00:00Z", 0.1, "old"),
                    row(1L, "2024-05-01T02:00:00Z", "2024-05-01T02:00:00Z", 0.2, "newest"),
                    row(2L, "2024-05-01T03:00:00Z", "2024-05-01T05:00:00Z", 0.3, "late-created"),
                    row(2L, "2024-05-01T03:00:00Z", "2024-05-01T04:00:00Z", 0.9, "early-created"),
                    row(3L, "2024-05-01T03:00:00Z", null, 0.9, "null-created"),
                    row(3L, "2024-05-01T03:00:00Z", "2024-05-01T03:00:00Z", 0.1, "has-created"))),
            VIEW,
            WINDOW);
    Map<Long, List<Object>> latest = byDriver(reduction.latest().collectAsList());
    assertThat(latest.get(1L))
        .containsExactly(Instant.parse("2024-05-01T02:00:00Z"), 0.2, "newest");
    assertThat(latest.get(2L).get(2)).isEqualTo("late-created");
    assertThat(latest.get(3L).get(2)).isEqualTo("has-created");
  }

  @Test
  void remainingTiesAreBrokenTheSameWayWhateverTheInputOrder() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rows.add(row(7L, "2024-05-01T03:00:00Z", "2024-05-01T03:00:00Z", i / 10.0, "v" + i));
    }
    List<Object> first = null;
    for (long seed = 0; seed < 5; seed++) {
      List<Row> shuffled = new ArrayList<>(rows);
      Collections.shuffle(shuffled, new java.util.Random(seed));
      Dataset<Row> input = frame(shuffled).repartition(3);
      List<Object> winner =
          byDriver(LatestPerEntity.reduce(input, VIEW, WINDOW).latest().collectAsList()).get(7L);
      if (first == null) {
        first = winner;
      }
      assertThat(winner).isEqualTo(first);
    }
    assertThat(first.get(1)).isEqualTo(1.9);
  }

  @Test
  void windowIsHalfOpen() throws Exception {
    Reduction reduction =
        LatestPerEntity.reduce(
            frame(
                List.of(
                    row(1L, "2024-05-01T00:00:00Z", null, 1.0, "at-start"),
                    row(2L, "2024-04-30T23:59:59.999999Z", null, 2.0, "before-start"),
                    row(3L, "2024-05-02T00:00:00Z", null, 3.0, "at-end"),
                    row(4L, "2024-05-01T23:59:59.999999Z", null, 4.0, "just-before-end"),
                    row(5L, "2024-05-01T12:00:00Z", null, 5.0, "in"),
                    row(5L, "2024-05-02T00:00:00Z", null, 6.0, "at-end-newer"))),
            VIEW,
            WINDOW);
    Map<Long, List<Object>> latest = byDriver(reduction.latest().collectAsList());
    assertThat(latest.keySet()).containsExactly(1L, 4L, 5L);
    assertThat(latest.get(5L).get(2)).isEqualTo("in");
    assertThat(reduction.counts().getAsJava().get(LatestPerEntity.ROWS_READ)).isEqualTo(3L);
  }

  @Test
  void nullKeysAndNullTimestampsAreDroppedAndCountedByReason() throws Exception {
    Reduction reduction =
        LatestPerEntity.reduce(
            frame(
                List.of(
                    row(null, "2024-05-01T01:00:00Z", null, 1.0, "null-key"),
                    row(null, null, null, 1.0, "null-key-and-ts"),
                    row(1L, null, null, 1.0, "null-ts"),
                    row(1L, null, null, 1.0, "null-ts-2"),
                    row(2L, "2024-05-01T01:00:00Z", null, 1.0, "ok"))),
            VIEW,
            WINDOW);
    assertThat(byDriver(reduction.latest().collectAsList()).keySet()).containsExactly(2L);
    Map<String, Object> counts = reduction.counts().getAsJava();
    assertThat(counts)
        .containsEntry(LatestPerEntity.ROWS_READ, 5L)
        .containsEntry(LatestPerEntity.NULL_JOIN_KEY, 2L)
        .containsEntry(LatestPerEntity.NULL_EVENT_TIMESTAMP, 2L);
  }

  @Test
  void severalJoinKeysFormOneEntityKey() {
    StructType schema =
        new StructType()
            .add("driver_id", DataTypes.LongType)
            .add("city", DataTypes.StringType)
            .add("ts", DataTypes.TimestampType)
            .add("rate", DataTypes.DoubleType);
    ViewColumns view =
        new ViewColumns(
            List.of(new Column("driver_id", INT64), new Column("city", STRING)),
            List.of(new Column("rate", DOUBLE)),
            "ts",
            null);
    Instant early = Instant.parse("2024-05-01T01:00:00Z");
    Instant late = Instant.parse("2024-05-01T02:00:00Z");
    Dataset<Row> input =
        spark()
            .createDataFrame(
                List.of(
                    RowFactory.create(1L, "paris", early, 1.0),
                    RowFactory.create(1L, "paris", late, 2.0),
                    RowFactory.create(1L, "rome", early, 3.0),
                    RowFactory.create(2L, "paris", late, 4.0)),
                schema);
    List<Row> latest = LatestPerEntity.reduce(input, view, WINDOW).latest().collectAsList();
    List<String> rendered =
        latest.stream().map(r -> r.get(0) + "/" + r.get(1) + "=" + r.get(4)).sorted().toList();
    assertThat(rendered).containsExactly("1/paris=2.0", "1/rome=3.0", "2/paris=4.0");
  }

  @Test
  void numbersDeclaredFloatingBecomeDoublesInSpark() {
    StructType schema =
        new StructType()
            .add("driver_id", DataTypes.LongType)
            .add("ts", DataTypes.TimestampType)
            .add("big", DataTypes.LongType)
            .add("prices", DataTypes.createArrayType(DataTypes.createDecimalType(10, 2)));
    ViewColumns view =
        new ViewColumns(
            List.of(new Column("driver_id", INT64)),
            List.of(
                new Column("big", DOUBLE),
                new Column("prices", feast.proto.types.ValueProto.ValueType.Enum.DOUBLE_LIST)),
            "ts",
            null);
    Dataset<Row> input =
        spark()
            .createDataFrame(
                List.of(
                    RowFactory.create(
                        1L,
                        Instant.parse("2024-05-01T01:00:00Z"),
                        (1L << 53) + 1,
                        List.of(new java.math.BigDecimal("1.25")))),
                schema);
    Dataset<Row> latest = LatestPerEntity.reduce(input, view, WINDOW).latest();
    assertThat(latest.schema().apply("big").dataType()).isEqualTo(DataTypes.DoubleType);
    assertThat(latest.schema().apply("prices").dataType())
        .isEqualTo(DataTypes.createArrayType(DataTypes.DoubleType));
    Row row = latest.collectAsList().get(0);
    assertThat(row.getDouble(3)).isEqualTo((double) ((1L << 53) + 1));
    assertThat(row.getList(4)).containsExactly(1.25);
  }

  @Test
  void entitylessViewsKeepOneLatestRowAndNoneForAnEmptyWindow() {
    ViewColumns view =
        new ViewColumns(List.of(), List.of(new Column("rate", DOUBLE)), "ts", "created");
    Dataset<Row> input =
        frame(
            List.of(
                row(1L, "2024-05-01T01:00:00Z", null, 1.0, "a"),
                row(2L, "2024-05-01T05:00:00Z", null, 5.0, "b"),
                row(3L, "2024-05-03T05:00:00Z", null, 9.0, "outside")));
    List<Row> latest = LatestPerEntity.reduce(input, view, WINDOW).latest().collectAsList();
    assertThat(latest).hasSize(1);
    assertThat(latest.get(0).get(0)).isEqualTo(Instant.parse("2024-05-01T05:00:00Z"));
    assertThat(latest.get(0).get(2)).isEqualTo(5.0);

    TimeInterval empty =
        new TimeInterval(
            Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-01-02T00:00:00Z"));
    assertThat(LatestPerEntity.reduce(input, view, empty).latest().collectAsList()).isEmpty();
  }
}
