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

  /**
   * One entity's rows: feature name → (value, event_ts, created_ts), the times as the JDBC driver
   * returns them (a Long or Integer for INTEGER).
   */
  private Map<String, Object[]> read(String table, byte[] entityKey) throws SQLException {
    Map<String, Object[]> rows = new LinkedHashMap<>();
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("online.db"));
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT feature_name, value, event_ts, created_ts FROM \""
                    + table
                    + "\" WHERE entity_key = ? ORDER BY feature_name")) {
      select.setBytes(1, entityKey);
      try (ResultSet result = select.executeQuery()) {
        while (result.next()) {
          rows.put(
              result.getString(1),
              new Object[] {
                Value.parseFrom(result.getBytes(2)), result.getObject(3), result.getObject(4)
              });
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new AssertionError(e);
      }
    }
    return rows;
  }

  /** A stored time as a long, failing unless it is an INTEGER (what Feast's int() can read). */
  private static long seconds(Object stored) {
    assertThat(stored).isInstanceOfAny(Integer.class, Long.class);
    return ((Number) stored).longValue();
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
      // 10:00:00.250 is stored as its whole second, created one second later.
      assertThat(seconds(stored.get("trips")[1])).isEqualTo(T0.getEpochSecond());
      assertThat(seconds(stored.get("trips")[2])).isEqualTo(T0.getEpochSecond() + 1);
    }
  }

  @Test
  void olderAndEqualEventsNeverOverwriteButForceDoes() throws Exception {
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      writer.write(driverRows(1, 10, T0, 1));
      assertThat(writer.write(driverRows(1, 10, T0.minusSeconds(1), 2)))
          .isEqualTo(new WriteStats(0, 10));
      assertThat(writer.write(driverRows(1, 10, T0, 3))).isEqualTo(new WriteStats(0, 10));
      assertThat(writer.write(driverRows(1, 4, T0.plusSeconds(1), 4)))
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
    assertThat(seconds(forced[1])).isEqualTo(T0.getEpochSecond() - 60);
  }

  @Test
  void withinOneSecondTheFirstWriterWins() throws Exception {
    Instant later = T0.plusMillis(700); // 10:00:00.950, the second T0 is stored as
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      assertThat(writer.write(driverRows(1, 10, T0, 1))).isEqualTo(new WriteStats(10, 0));
      assertThat(writer.write(driverRows(1, 10, later, 2))).isEqualTo(new WriteStats(0, 10));
    }
    Object[] kept = read("test_driver_hourly_stats", int64EntityKey("driver_id", 3)).get("trips");
    assertThat(((Value) kept[0]).getInt64Val())
        .isEqualTo(driverRows(1, 10, T0, 1).get(2).featureValues().get(2));
    assertThat(seconds(kept[1])).isEqualTo(T0.getEpochSecond());

    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      assertThat(writer.write(driverRows(1, 10, later.plusMillis(50), 3)))
          .isEqualTo(new WriteStats(10, 0));
    }
    Object[] next = read("test_driver_hourly_stats", int64EntityKey("driver_id", 3)).get("trips");
    assertThat(((Value) next[0]).getInt64Val())
        .isEqualTo(driverRows(1, 10, T0, 3).get(2).featureValues().get(2));
    assertThat(seconds(next[1])).isEqualTo(T0.getEpochSecond() + 1);
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
        Instant time = Instant.ofEpochSecond(seconds(rows.getObject(2)));
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
    RaceAssertions.assertNewestWinsToTheSecond(writers, key -> held.get((long) key));
  }
}
