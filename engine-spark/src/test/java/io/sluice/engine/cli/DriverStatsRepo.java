package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import feast.proto.types.ValueProto.Value;
import feast.proto.types.ValueProto.ValueType;
import io.sluice.common.feast.Column;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.format.EntityKeySerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A feature repo in a temporary folder: feature_store.yaml (SQLite registry and online store by
 * default), definitions, and driver stats as Parquet made from rows this class also keeps, so a
 * test can compute the expected latest rows independently of the engine.
 */
final class DriverStatsRepo {
  static final Instant DAY1 = Instant.parse("2024-05-01T00:00:00Z");
  static final Instant DAY2 = Instant.parse("2024-05-02T00:00:00Z");
  static final Instant DAY3 = Instant.parse("2024-05-03T00:00:00Z");

  static final StructType SCHEMA =
      new StructType()
          .add("driver_id", DataTypes.LongType)
          .add("event_timestamp", DataTypes.TimestampType)
          .add("created", DataTypes.TimestampType)
          .add("conv_rate", DataTypes.FloatType)
          .add("acc_rate", DataTypes.DoubleType)
          .add("trips_raw", DataTypes.LongType);

  static final String DEFINITIONS =
      """
      entities:
        - name: driver
          join_key: driver_id
          value_type: INT64
      data_sources:
        - name: driver_stats
          type: file
          path: data/driver_stats.parquet
          file_format: parquet
          timestamp_field: event_timestamp
          created_timestamp_column: created
          field_mapping: {trips_raw: avg_daily_trips}
      feature_views:
        - name: driver_hourly_stats
          entities: [driver]
          source: driver_stats
          ttl: 2d
          online: true
          features:
            - {name: conv_rate, dtype: FLOAT}
            - {name: acc_rate, dtype: Float64}
            - {name: avg_daily_trips, dtype: INT64}
      """;

  private static final EntityKeySerializer KEYS =
      new EntityKeySerializer(
          List.of(new Column("driver_id", ValueType.Enum.INT64)), EntityKeyFormat.V3);

  final Path dir;
  final List<Row> rows;

  private DriverStatsRepo(Path dir, List<Row> rows) {
    this.dir = dir;
    this.rows = rows;
  }

  /** 200 drivers, a row every 3 hours over two days, some null ids and timestamps. */
  static DriverStatsRepo create(SparkSession spark, Path dir, String storeYaml) {
    Random random = new Random(7);
    List<Row> rows = new ArrayList<>();
    for (long driver = 1; driver <= 200; driver++) {
      for (Instant t = DAY1; t.isBefore(DAY3); t = t.plusSeconds(3 * 3600)) {
        Instant event = t.plusSeconds(random.nextInt(3 * 3600));
        rows.add(
            RowFactory.create(
                driver,
                event,
                event.plusSeconds(60),
                random.nextFloat(),
                random.nextDouble(),
                (long) random.nextInt(100)));
      }
    }
    rows.add(RowFactory.create(null, DAY1.plusSeconds(10), null, 0.5f, 0.5, 1L));
    rows.add(RowFactory.create(5L, null, null, 0.5f, 0.5, 1L));
    spark
        .createDataFrame(rows, SCHEMA)
        .repartition(3)
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(dir.resolve("data/driver_stats.parquet").toString());
    writeRepoFiles(dir, storeYaml, DEFINITIONS);
    return new DriverStatsRepo(dir, rows);
  }

  /**
   * Writes feature_store.yaml (project demo_test, a SQLite registry at data/registry.db, then
   * {@code storeYaml}) and definitions.yaml into {@code dir}; returns the config file.
   */
  static Path writeRepoFiles(Path dir, String storeYaml, String definitions) {
    write(dir.resolve("definitions.yaml"), definitions);
    Path config = dir.resolve("feature_store.yaml");
    write(
        config,
        "project: demo_test\n"
            // Absolute: a relative SQLite URL resolves against the working directory, as in Feast.
            + "registry:\n  registry_type: sql\n  path: sqlite:///"
            + dir.resolve("data/registry.db").toAbsolutePath()
            + "\n"
            + storeYaml
            + "entity_key_serialization_version: 3\n");
    return config;
  }

  static String sqliteStore() {
    return "online_store:\n  type: sqlite\n  path: data/online.db\n";
  }

  Path config() {
    return dir.resolve("feature_store.yaml");
  }

  /** Runs {@code sluice materialize} of driver_hourly_stats over {@code [start, end)}. */
  CommandResult materialize(String start, String end, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "materialize",
                "--config",
                config().toString(),
                "--feature-view",
                "driver_hourly_stats",
                "--start",
                start,
                "--end",
                end));
    args.addAll(List.of(extra));
    return CommandResult.run(args.toArray(String[]::new));
  }

  /** Runs {@code sluice apply} of the repo's definitions, asserting that it succeeds. */
  void apply() {
    CommandResult applied = apply(config(), dir.resolve("definitions.yaml"));
    assertThat(applied.lastLine()).contains("\"feature_views\":[\"driver_hourly_stats\"]");
  }

  /** Runs {@code sluice apply --config config --definitions definitions}, asserting success. */
  static CommandResult apply(Path config, Path definitions) {
    CommandResult applied =
        CommandResult.run(
            "apply", "--config", config.toString(), "--definitions", definitions.toString());
    assertThat(applied.exitCode()).as(applied.err()).isZero();
    return applied;
  }

  /** driver id → the expected latest row in [start, end), computed from the kept rows. */
  Map<Long, Row> expectedLatest(Instant start, Instant end) {
    Map<Long, Row> latest = new TreeMap<>();
    for (Row row : rows) {
      if (row.isNullAt(0) || row.isNullAt(1)) {
        continue;
      }
      Instant event = (Instant) row.get(1);
      if (event.isBefore(start) || !event.isBefore(end)) {
        continue;
      }
      Row current = latest.get(row.getLong(0));
      if (current == null || ((Instant) current.get(1)).isBefore(event)) {
        latest.put(row.getLong(0), row);
      }
    }
    return latest;
  }

  /**
   * feature name → Value stored for one driver in the SQLite online store at data/online.db, plus
   * "event_ts" → the stored time as the driver returns it (an Integer or Long for Feast's whole
   * epoch seconds).
   */
  Map<String, Object> stored(long driver) throws SQLException {
    Map<String, Object> values = new LinkedHashMap<>();
    Path store = dir.resolve("data/online.db");
    if (!Files.exists(store)) {
      return values;
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + store);
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT feature_name, value, event_ts FROM demo_test_driver_hourly_stats WHERE"
                    + " entity_key = ?")) {
      select.setBytes(1, KEYS.serialize(List.of(driver)));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          values.put(rows.getString(1), Value.parseFrom(rows.getBytes(2)));
          values.put("event_ts", rows.getObject(3));
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
    return values;
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
