package io.sluice.online.sqlite;

import static io.sluice.online.TestViews.driverRows;
import static io.sluice.online.TestViews.driverStats;
import static io.sluice.online.TestViews.int64EntityKey;
import static io.sluice.online.TestViews.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import feast.proto.types.ValueProto.Value;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.InvalidFeatureValueException;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineWriter;
import io.sluice.online.RaceAssertions;
import io.sluice.online.RaceAssertions.Held;
import io.sluice.online.RaceWorkload;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.stores.OnlineStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite writer against a real SQLite file, read back with plain SQL. */
@Timeout(300)
class SqliteOnlineWriterTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.250Z");
  @TempDir Path dir;

  private SqliteOnlineStoreConfig store() {
    return new SqliteOnlineStoreConfig(dir.resolve("online.db").toString());
  }

  private OnlineWriter open(FeatureViewSchema view, WriteMode mode) {
    return OnlineStores.openWriter(store(), view, options(mode));
  }

  /** One entity's rows as Feast's SQLite reader sees them: feature name → (value, event_ts). */
  private Map<String, Object[]> read(String table, byte[] entityKey) throws SQLException {
    Map<String, Object[]> rows = new LinkedHashMap<>();
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("online.db"));
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT feature_name, value, event_ts FROM \""
                    + table
                    + "\" WHERE entity_key = ? ORDER BY feature_name")) {
      select.setBytes(1, entityKey);
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          rows.put(
              result.getString(1),
              new Object[] {Value.parseFrom(result.getBytes(2)), result.getString(3)});
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
    return rows;
  }

  /** Python's str() of a naive UTC datetime, which Feast's SQLite store writes. */
  private static String pythonText(Instant instant) {
    LocalDateTime time = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    String seconds = time.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
    int micros = instant.getNano() / 1000;
    return micros == 0 ? seconds : seconds + "." + String.format("%06d", micros);
  }

  @Test
  void createsFeastsTableAndIndex() throws Exception {
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      writer.write(driverRows(1, 1, T0, 1));
    }
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("online.db"));
        ResultSet columns =
            connection
                .createStatement()
                .executeQuery("PRAGMA table_info(test_driver_hourly_stats)");
        ResultSet index =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND name ="
                        + " 'test_driver_hourly_stats_ek'")) {
      List<String> names = new ArrayList<>();
      while (columns.next()) {
        names.add(columns.getString("name") + " " + columns.getString("type"));
      }
      assertThat(names)
          .containsExactly(
              "entity_key BLOB",
              "feature_name TEXT",
              "value BLOB",
              "value_text TEXT",
              "vector_value BLOB",
              "event_ts timestamp",
              "created_ts timestamp");
      assertThat(index.next()).isTrue();
    }
  }

  @Test
  void whatIsWrittenReadsBackAsTheInputRows() throws Exception {
    List<FeatureRow> rows = driverRows(1000, 200, T0, 1);
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      assertThat(writer.write(rows)).isEqualTo(new WriteStats(200, 0));
    }
    for (FeatureRow row : rows) {
      Map<String, Object[]> stored =
          read(
              "test_driver_hourly_stats",
              int64EntityKey("driver_id", (Long) row.joinKeyValues().get(0)));
      assertThat(stored).hasSize(6);
      List<Object> in = row.featureValues();
      assertThat(((Value) stored.get("conv_rate")[0]).getFloatVal()).isEqualTo(in.get(0));
      assertThat(((Value) stored.get("acc_rate")[0]).getDoubleVal()).isEqualTo(in.get(1));
      assertThat(((Value) stored.get("trips")[0]).getInt64Val()).isEqualTo(in.get(2));
      assertThat(((Value) stored.get("name")[0]).getStringVal()).isEqualTo(in.get(3));
      assertThat(((Value) stored.get("tags")[0]).getStringListVal().getValList())
          .isEqualTo(in.get(4));
      Value active = (Value) stored.get("active")[0];
      if (in.get(5) == null) {
        assertThat(active.getValCase()).isEqualTo(Value.ValCase.VAL_NOT_SET);
      } else {
        assertThat(active.getBoolVal()).isEqualTo(in.get(5));
      }
      assertThat(stored.get("trips")[1]).isEqualTo(pythonText(T0));
    }
  }

  @Test
  void olderAndEqualEventsNeverOverwriteButForceDoes() throws Exception {
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      writer.write(driverRows(1, 10, T0, 1));
      assertThat(writer.write(driverRows(1, 10, T0.minusNanos(1000), 2)))
          .isEqualTo(new WriteStats(0, 10));
      assertThat(writer.write(driverRows(1, 10, T0, 3))).isEqualTo(new WriteStats(0, 10));
      assertThat(writer.write(driverRows(1, 4, T0.plusNanos(1000), 4)))
          .isEqualTo(new WriteStats(4, 0));
    }
    long newer = (Long) driverRows(1, 4, T0, 4).get(0).featureValues().get(2);
    long original = (Long) driverRows(1, 10, T0, 1).get(5).featureValues().get(2);
    assertThat(
            ((Value)
                    read("test_driver_hourly_stats", int64EntityKey("driver_id", 1))
                        .get("trips")[0])
                .getInt64Val())
        .isEqualTo(newer);
    assertThat(
            ((Value)
                    read("test_driver_hourly_stats", int64EntityKey("driver_id", 6))
                        .get("trips")[0])
                .getInt64Val())
        .isEqualTo(original);

    try (OnlineWriter writer = open(driverStats(), WriteMode.FORCE)) {
      assertThat(writer.write(driverRows(1, 10, T0.minusSeconds(60), 2)))
          .isEqualTo(new WriteStats(10, 0));
    }
    Object[] forced = read("test_driver_hourly_stats", int64EntityKey("driver_id", 6)).get("trips");
    assertThat(((Value) forced[0]).getInt64Val())
        .isEqualTo(driverRows(1, 10, T0, 2).get(5).featureValues().get(2));
    assertThat(forced[1]).isEqualTo(pythonText(T0.minusSeconds(60)));
  }

  @Test
  void valueOfTheWrongTypeFailsTheBatchAndEarlierBatchesStayWritten() throws Exception {
    List<FeatureRow> bad = new ArrayList<>(driverRows(100, 10, T0, 2));
    List<Object> values = new ArrayList<>(bad.get(9).featureValues());
    values.set(2, 1.5d);
    bad.set(9, FeatureRow.of(List.of(109L), T0, values));
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      writer.write(driverRows(1, 10, T0, 1));
      assertThatThrownBy(() -> writer.write(bad))
          .isInstanceOf(InvalidFeatureValueException.class)
          .hasMessage(
              "Cannot write feature view driver_hourly_stats for entity [109]: Invalid value for"
                  + " trips (declared INT64): 1.5 (Double) does not fit INT64");
      assertThat(writer.stats()).isEqualTo(new WriteStats(10, 0));
    }
    assertThat(read("test_driver_hourly_stats", int64EntityKey("driver_id", 10))).hasSize(6);
    assertThat(read("test_driver_hourly_stats", int64EntityKey("driver_id", 100))).isEmpty();
  }

  @Test
  void storePathThatCannotBeCreatedIsAConfigurationError() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
    SqliteOnlineStoreConfig store =
        new SqliteOnlineStoreConfig(file.resolve("online.db").toString());
    assertThatThrownBy(() -> OnlineStores.openWriter(store, driverStats(), WriteOptions.defaults()))
        .isInstanceOf(InvalidOnlineStoreConfigException.class)
        .hasMessageStartingWith("Cannot create the folder of the SQLite online store " + file)
        .hasMessageEndingWith("check online_store.path");
  }

  @Test
  void aFileThatIsNoDatabaseIsAConfigurationError() throws Exception {
    Files.writeString(dir.resolve("online.db"), "this is not a database, just text ".repeat(100));
    String path = store().path();
    assertThatThrownBy(
            () -> OnlineStores.openWriter(store(), driverStats(), WriteOptions.defaults()))
        .isInstanceOf(InvalidOnlineStoreConfigException.class)
        .hasMessageStartingWith(
            "Cannot open "
                + path
                + " in SQLite online store "
                + path
                + ": Cannot open "
                + path
                + ": org.sqlite.SQLiteException: [SQLITE_NOTADB]")
        .hasMessageContaining("SQLITE_NOTADB")
        .hasMessageEndingWith("check online_store.path (a writable SQLite file)");
  }

  @Test
  void eightThreadsRacingLeaveTheNewestValueOfEveryKey() throws Exception {
    RaceAssertions.raceThreads(
        8, () -> OnlineStores.openWriter(store(), RaceWorkload.view(), WriteOptions.defaults()));
    assertNewestWins(8);
  }

  @Test
  void fourProcessesRacingLeaveTheNewestValueOfEveryKey() throws Exception {
    RaceAssertions.raceProcesses(
        4, "{\"type\":\"sqlite\",\"path\":\"" + dir.resolve("online.db") + "\"}");
    assertNewestWins(4);
  }

  private void assertNewestWins(int writers) throws SQLException {
    Map<Long, Held> held = new LinkedHashMap<>();
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("online.db"));
        ResultSet rows =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT a.entity_key, a.event_ts, a.value, b.value FROM test_race a JOIN"
                        + " test_race b ON a.entity_key = b.entity_key WHERE a.feature_name ="
                        + " 'ts_copy' AND b.feature_name = 'writer_free'")) {
      while (rows.next()) {
        byte[] key = rows.getBytes(1);
        long id =
            java.nio.ByteBuffer.wrap(key, key.length - 8, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong();
        String text = rows.getString(2);
        Instant time = LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        held.put(
            id,
            new Held(
                time,
                Value.parseFrom(rows.getBytes(3)).getInt64Val(),
                Value.parseFrom(rows.getBytes(4)).getInt64Val()));
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    assertThat(held).hasSize(RaceWorkload.KEYS);
    RaceAssertions.assertNewestWins(writers, key -> held.get((long) key));
  }
}
