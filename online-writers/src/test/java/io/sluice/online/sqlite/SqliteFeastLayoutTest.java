package io.sluice.online.sqlite;

import static feast.proto.types.ValueProto.ValueType.Enum.BOOL;
import static feast.proto.types.ValueProto.ValueType.Enum.BYTES;
import static feast.proto.types.ValueProto.ValueType.Enum.DOUBLE;
import static feast.proto.types.ValueProto.ValueType.Enum.FLOAT;
import static feast.proto.types.ValueProto.ValueType.Enum.INT32;
import static feast.proto.types.ValueProto.ValueType.Enum.INT64;
import static feast.proto.types.ValueProto.ValueType.Enum.STRING;
import static feast.proto.types.ValueProto.ValueType.Enum.STRING_LIST;
import static feast.proto.types.ValueProto.ValueType.Enum.UNIX_TIMESTAMP;
import static io.sluice.online.TestViews.int64EntityKey;
import static io.sluice.online.TestViews.options;
import static io.sluice.online.sqlite.FeastSqliteFile.bytes;
import static io.sluice.online.sqlite.FeastSqliteFile.quote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import feast.proto.types.ValueProto.Value;
import io.sluice.common.feast.Column;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineReader;
import io.sluice.online.OnlineReader.StoredValues;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteStats;
import io.sluice.online.sqlite.FeastSqliteFile.FeastRead;
import io.sluice.online.stores.OnlineStores;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sluice and Feast 0.66 sharing one SQLite online store file: the file is laid out and written as
 * Feast does ({@link FeastSqliteFile}), and what Sluice leaves in it is read back by Feast's rules.
 */
class SqliteFeastLayoutTest {
  private static final FeatureViewSchema VIEW =
      new FeatureViewSchema(
          "test",
          "driver_stats",
          List.of(new Column("driver_id", INT64)),
          List.of(
              new Column("trips", INT64), new Column("name", STRING), new Column("rate", DOUBLE)));

  private static final String TABLE = "test_driver_stats";

  /** Sluice's window: 10:00:00.400 on 2024-05-01, stored as its second. */
  private static final Instant SLUICE_TIME = Instant.parse("2024-05-01T10:00:00.400Z");

  private static final long SLUICE_SECOND = SLUICE_TIME.getEpochSecond();

  @TempDir Path dir;

  private SqliteOnlineStoreConfig store() {
    return new SqliteOnlineStoreConfig(dir.resolve("online.db").toString());
  }

  private FeastSqliteFile feast() throws SQLException {
    return new FeastSqliteFile(dir.resolve("online.db"));
  }

  private WriteStats write(
      SqliteOnlineStoreConfig store,
      FeatureViewSchema view,
      WriteMode mode,
      List<FeatureRow> rows) {
    try (OnlineWriter writer = OnlineStores.openWriter(store, view, options(mode))) {
      return writer.write(rows);
    }
  }

  private WriteStats write(WriteMode mode, List<FeatureRow> rows) {
    return write(store(), VIEW, mode, rows);
  }

  private static FeatureRow sluiceRow(long id, Instant time) {
    return new FeatureRow(
        List.of(id), time, time.plusSeconds(1), List.of(id, "sluice-" + id, id + 0.25));
  }

  private static Map<String, Value> feastValues(long id) {
    Map<String, Value> values = new LinkedHashMap<>();
    values.put("trips", Value.newBuilder().setInt64Val(1000 + id).build());
    values.put("name", Value.newBuilder().setStringVal("feast-" + id).build());
    values.put("rate", Value.newBuilder().setDoubleVal(id + 0.5).build());
    return values;
  }

  private static Map<String, String> feastTexts(long id) {
    return Map.of("trips", Long.toString(1000 + id), "name", "feast-" + id, "rate", id + ".5");
  }

  private static Map<String, Value> sluiceValues(long id) {
    Map<String, Value> values = new LinkedHashMap<>();
    values.put("trips", Value.newBuilder().setInt64Val(id).build());
    values.put("name", Value.newBuilder().setStringVal("sluice-" + id).build());
    values.put("rate", Value.newBuilder().setDoubleVal(id + 0.25).build());
    return values;
  }

  @Test
  void anOlderSluiceWindowSkipsWhatFeastWroteNewerAndWritesTheRest() throws Exception {
    // Feast wrote drivers 1-12 an hour after Sluice's window, 13-24 an hour before it, 25-30 in
    // the same second (Feast truncates 10:00:00.900 to 10:00:00); drivers 31-40 are new.
    try (FeastSqliteFile feast = feast()) {
      feast.createTable(TABLE, false);
      for (long id = 1; id <= 30; id++) {
        long second =
            id <= 12 ? SLUICE_SECOND + 3600 : id <= 24 ? SLUICE_SECOND - 3600 : SLUICE_SECOND;
        feast.write(
            TABLE,
            int64EntityKey("driver_id", id),
            feastValues(id),
            feastTexts(id),
            second,
            second + 30);
      }
    }
    List<FeatureRow> window = new ArrayList<>();
    for (long id = 1; id <= 40; id++) {
      window.add(sluiceRow(id, SLUICE_TIME));
    }

    assertThat(write(WriteMode.NEWER_ONLY, window)).isEqualTo(new WriteStats(22, 18));

    try (FeastSqliteFile feast = feast()) {
      Map<List<Byte>, FeastRead> read = feast.readAll(TABLE);
      assertThat(read).hasSize(40);
      for (long id = 1; id <= 40; id++) {
        FeastRead entity = read.get(bytes(int64EntityKey("driver_id", id)));
        boolean feastKept = id <= 12 || (id >= 25 && id <= 30);
        if (feastKept) {
          long second = id <= 12 ? SLUICE_SECOND + 3600 : SLUICE_SECOND;
          assertThat(entity).as("driver %s", id).isEqualTo(feastRead(second, feastValues(id)));
        } else {
          assertThat(entity)
              .as("driver %s", id)
              .isEqualTo(feastRead(SLUICE_SECOND, sluiceValues(id)));
        }
      }
      // Sluice's rows carry Feast's value_text and integer created_ts beside the value.
      List<String> rates = feast.column(TABLE, "value_text", "rate");
      assertThat(rates.get(0)).isEqualTo("text:1.5");
      assertThat(rates.get(12)).isEqualTo("text:13.25");
      assertThat(feast.column(TABLE, "created_ts", "rate").get(12))
          .isEqualTo("integer:" + (SLUICE_SECOND + 1));
    }

    // Rerunning the window writes nothing: every stored second is now at least Sluice's own.
    assertThat(write(WriteMode.NEWER_ONLY, window)).isEqualTo(new WriteStats(0, 40));
  }

  private static FeastRead feastRead(long second, Map<String, Value> values) {
    return new FeastRead(Instant.ofEpochSecond(second), values);
  }

  @Test
  void aNewTableIsCreatedWithFeastsStatementsAndQuotedNames() throws Exception {
    FeatureViewSchema quoted =
        new FeatureViewSchema("te\"am", "driver stats", VIEW.joinKeys(), VIEW.features());
    String table = "te\"am_driver stats";
    SqliteOnlineStoreConfig plain = new SqliteOnlineStoreConfig(dir.resolve("a.db").toString());
    SqliteOnlineStoreConfig withNumbers =
        new SqliteOnlineStoreConfig(dir.resolve("b.db").toString(), true);
    write(plain, quoted, WriteMode.NEWER_ONLY, List.of(sluiceRow(1, SLUICE_TIME)));
    write(withNumbers, quoted, WriteMode.NEWER_ONLY, List.of(sluiceRow(1, SLUICE_TIME)));
    // A second, newer write runs the newer-only condition against the quoted table.
    assertThat(
            write(
                plain,
                quoted,
                WriteMode.NEWER_ONLY,
                List.of(sluiceRow(1, SLUICE_TIME.plusSeconds(1)))))
        .isEqualTo(new WriteStats(1, 0));

    for (boolean enabled : new boolean[] {false, true}) {
      List<String> feastSchema;
      try (FeastSqliteFile feast = new FeastSqliteFile(dir.resolve("feast-" + enabled + ".db"))) {
        feast.createTable(table, enabled);
        feastSchema = feast.schema(table);
      }
      try (FeastSqliteFile sluice = new FeastSqliteFile(dir.resolve(enabled ? "b.db" : "a.db"))) {
        assertThat(sluice.schema(table)).hasSize(2).isEqualTo(feastSchema);
        List<String> expectedColumns =
            new ArrayList<>(List.of("entity_key", "feature_name", "value", "value_text"));
        if (enabled) {
          expectedColumns.add("value_num");
        }
        expectedColumns.addAll(List.of("vector_value", "event_ts", "created_ts"));
        assertThat(sluice.columns(table)).isEqualTo(expectedColumns);
      }
    }
  }

  @Test
  void textTimesOfEarlierWritersAreReplacedOnlyByANewerSecond() throws Exception {
    // 10:00:00.25 UTC as Sluice wrote it before, as Feast before 0.42 wrote it (isoformat, naive
    // and with an offset), as REAL seconds, and 10:00:00 as whole-second text.
    List<String> stored =
        List.of(
            "'2024-05-01 10:00:00.250000'",
            "'2024-05-01 10:00:00'",
            "'2024-05-01T10:00:00.250000'",
            "'2024-05-01T12:00:00.250000+02:00'",
            "'2024-05-01T10:00:00.250000+00:00'",
            (SLUICE_SECOND) + ".25");
    try (FeastSqliteFile feast = feast()) {
      feast.createTable(TABLE, false);
      for (int i = 0; i < stored.size(); i++) {
        for (String feature : List.of("trips", "name", "rate")) {
          feast.execute(
              "INSERT INTO "
                  + TABLE
                  + " (entity_key, feature_name, value, event_ts) VALUES (x'"
                  + hex(int64EntityKey("driver_id", i + 1))
                  + "', '"
                  + feature
                  + "', x'"
                  + hex(feastValues(i + 1).get(feature).toByteArray())
                  + "', "
                  + stored.get(i)
                  + ")");
        }
      }
      assertThat(feast.column(TABLE, "typeof(event_ts)", "trips"))
          .containsExactly(
              "text:text", "text:text", "text:text", "text:text", "text:text", "text:real");
    }
    int entities = stored.size();
    List<FeatureRow> older = new ArrayList<>();
    List<FeatureRow> sameSecond = new ArrayList<>();
    List<FeatureRow> newer = new ArrayList<>();
    for (long id = 1; id <= entities; id++) {
      older.add(sluiceRow(id, Instant.parse("2024-05-01T09:59:59.900Z")));
      sameSecond.add(sluiceRow(id, Instant.parse("2024-05-01T10:00:00.999Z")));
      newer.add(sluiceRow(id, Instant.parse("2024-05-01T10:00:01Z")));
    }

    assertThat(write(WriteMode.NEWER_ONLY, older)).isEqualTo(new WriteStats(0, entities));
    assertThat(write(WriteMode.NEWER_ONLY, sameSecond)).isEqualTo(new WriteStats(0, entities));
    try (FeastSqliteFile feast = feast()) {
      assertThat(feast.column(TABLE, "value_text", "name")).containsOnly("null:NULL");
    }
    assertThat(write(WriteMode.NEWER_ONLY, newer)).isEqualTo(new WriteStats(entities, 0));

    try (FeastSqliteFile feast = feast()) {
      assertThat(feast.column(TABLE, "event_ts", "trips"))
          .hasSize(entities)
          .containsOnly("integer:" + (SLUICE_SECOND + 1));
      Map<List<Byte>, FeastRead> read = feast.readAll(TABLE);
      for (long id = 1; id <= entities; id++) {
        assertThat(read.get(bytes(int64EntityKey("driver_id", id))))
            .isEqualTo(feastRead(SLUICE_SECOND + 1, sluiceValues(id)));
      }
    }
  }

  @Test
  void aStoredTimeThatIsNoTimeIsOverwritten() throws Exception {
    List<String> stored = List.of("NULL", "x'00'", "'not a time'");
    try (FeastSqliteFile feast = feast()) {
      feast.createTable(TABLE, false);
      for (int i = 0; i < stored.size(); i++) {
        feast.execute(
            "INSERT INTO "
                + TABLE
                + " (entity_key, feature_name, value, event_ts) VALUES (x'"
                + hex(int64EntityKey("driver_id", i + 1))
                + "', 'trips', x'', "
                + stored.get(i)
                + ")");
      }
    }
    List<FeatureRow> rows =
        List.of(sluiceRow(1, SLUICE_TIME), sluiceRow(2, SLUICE_TIME), sluiceRow(3, SLUICE_TIME));
    assertThat(write(WriteMode.NEWER_ONLY, rows)).isEqualTo(new WriteStats(3, 0));
    try (FeastSqliteFile feast = feast()) {
      assertThat(feast.column(TABLE, "event_ts", "trips"))
          .containsOnly("integer:" + SLUICE_SECOND)
          .hasSize(3);
    }
  }

  @Test
  void timesAreTruncatedTowardZeroAsPythonsIntDoes() throws Exception {
    List<Instant> times =
        List.of(
            Instant.parse("1969-12-31T23:59:59.500Z"),
            Instant.parse("1969-12-31T23:59:58.500Z"),
            Instant.parse("1969-12-31T23:59:59Z"),
            Instant.parse("1970-01-01T00:00:00.999999Z"),
            Instant.parse("2024-05-01T09:59:59.999999999Z"),
            // Python's datetime holds microseconds: -1 s + 500 ns is -1 s.
            Instant.ofEpochSecond(-1, 500));
    List<FeatureRow> rows = new ArrayList<>();
    for (int i = 0; i < times.size(); i++) {
      rows.add(new FeatureRow(List.of(i + 1L), times.get(i), times.get(i), List.of(1L, "x", 1.0)));
    }
    assertThat(write(WriteMode.NEWER_ONLY, rows)).isEqualTo(new WriteStats(times.size(), 0));
    List<String> expected =
        List.of(
            "integer:0",
            "integer:-1",
            "integer:-1",
            "integer:0",
            "integer:" + (SLUICE_SECOND - 1),
            "integer:-1");
    try (FeastSqliteFile feast = feast()) {
      assertThat(feast.column(TABLE, "event_ts", "trips")).isEqualTo(expected);
      assertThat(feast.column(TABLE, "created_ts", "trips")).isEqualTo(expected);
    }
    // 00:00:00.400 falls in the second Feast stored for 23:59:59.500 the day before (0): not newer.
    assertThat(
            write(
                WriteMode.NEWER_ONLY,
                List.of(
                    FeatureRow.of(
                        List.of(1L),
                        Instant.parse("1970-01-01T00:00:00.400Z"),
                        List.of(2L, "y", 2.0)))))
        .isEqualTo(new WriteStats(0, 1));
    // The same for text an earlier Sluice wrote: 23:59:59.500 the day before is second 0, too.
    try (FeastSqliteFile feast = feast()) {
      feast.execute(
          "UPDATE " + TABLE + " SET event_ts = '1969-12-31 23:59:59.500000' WHERE event_ts = -1");
    }
    assertThat(
            write(
                WriteMode.NEWER_ONLY,
                List.of(
                    FeatureRow.of(
                        List.of(2L),
                        Instant.parse("1969-12-31T23:59:59.900Z"),
                        List.of(2L, "y", 2.0)))))
        .isEqualTo(new WriteStats(0, 1));
  }

  private static final FeatureViewSchema EVERY_KIND =
      new FeatureViewSchema(
          "test",
          "kinds",
          List.of(new Column("id", INT64)),
          List.of(
              new Column("a_string", STRING),
              new Column("b_int32", INT32),
              new Column("c_int64", INT64),
              new Column("d_float", FLOAT),
              new Column("e_double", DOUBLE),
              new Column("f_bool", BOOL),
              new Column("g_bytes", BYTES),
              new Column("h_list", STRING_LIST),
              new Column("i_time", UNIX_TIMESTAMP),
              new Column("j_null", DOUBLE)));

  private static final List<Object> EVERY_KIND_VALUES =
      Arrays.asList(
          "driver",
          -7,
          9007199254740993L,
          0.1f,
          1e16,
          true,
          new byte[] {1},
          List.of("a"),
          Instant.parse("2024-05-01T00:00:00Z"),
          null);

  /** Each feature's value_text (or value_num), with its storage class, in feature order. */
  private List<String> columnOfEveryKind(String column) throws SQLException {
    List<String> values = new ArrayList<>();
    try (FeastSqliteFile feast = feast()) {
      for (Column feature : EVERY_KIND.features()) {
        values.addAll(feast.column("test_kinds", column, feature.name()));
      }
    }
    return values;
  }

  @Test
  void valueTextIsFeastsForEveryKindAndValueNumIsAbsentByDefault() throws Exception {
    write(
        store(),
        EVERY_KIND,
        WriteMode.NEWER_ONLY,
        List.of(FeatureRow.of(List.of(1L), SLUICE_TIME, EVERY_KIND_VALUES)));
    assertThat(columnOfEveryKind("value_text"))
        .containsExactly(
            "text:driver",
            "text:-7",
            "text:9007199254740993",
            "text:0.10000000149011612",
            "text:1e+16",
            "text:True",
            "null:NULL",
            "null:NULL",
            "null:NULL",
            "null:NULL");
    try (FeastSqliteFile feast = feast()) {
      assertThat(feast.columns("test_kinds")).doesNotContain("value_num");
    }
  }

  @Test
  void valueNumIsWrittenWhenEnabledAndTheTableHasIt() throws Exception {
    write(
        new SqliteOnlineStoreConfig(store().path(), true),
        EVERY_KIND,
        WriteMode.NEWER_ONLY,
        List.of(FeatureRow.of(List.of(1L), SLUICE_TIME, EVERY_KIND_VALUES)));
    assertThat(columnOfEveryKind("value_num"))
        .containsExactly(
            "null:NULL",
            "real:-7.0",
            "real:9.00719925474099e+15",
            "real:0.100000001490116",
            "real:1.0e+16",
            "real:1.0",
            "null:NULL",
            "null:NULL",
            "null:NULL",
            "null:NULL");
    try (FeastSqliteFile feast = feast()) {
      assertThat(feast.column("test_kinds", "value_num = 9007199254740992.0", "c_int64"))
          .containsExactly("integer:1");
      assertThat(feast.column("test_kinds", "value_num = 0.10000000149011612", "d_float"))
          .containsExactly("integer:1");
    }
  }

  @Test
  void valueNumIsLeftAloneWhenDisabledOrTheTableLacksIt() throws Exception {
    // Enabled, but the table was created without value_num (Feast's writer warns and goes on).
    try (FeastSqliteFile feast = feast()) {
      feast.createTable(TABLE, false);
    }
    assertThat(
            write(
                new SqliteOnlineStoreConfig(store().path(), true),
                VIEW,
                WriteMode.NEWER_ONLY,
                List.of(sluiceRow(1, SLUICE_TIME))))
        .isEqualTo(new WriteStats(1, 0));
    try (FeastSqliteFile feast = feast()) {
      assertThat(feast.columns(TABLE)).doesNotContain("value_num");
      assertThat(feast.column(TABLE, "value_text", "trips")).containsExactly("text:1");
    }

    // Disabled, on a table Feast created with value_num: the column stays empty.
    try (FeastSqliteFile feast = new FeastSqliteFile(dir.resolve("numbers.db"))) {
      feast.createTable(TABLE, true);
    }
    SqliteOnlineStoreConfig disabled =
        new SqliteOnlineStoreConfig(dir.resolve("numbers.db").toString(), false);
    write(disabled, VIEW, WriteMode.NEWER_ONLY, List.of(sluiceRow(1, SLUICE_TIME)));
    try (FeastSqliteFile feast = new FeastSqliteFile(dir.resolve("numbers.db"))) {
      assertThat(feast.column(TABLE, "value_num", "trips")).containsExactly("null:NULL");
      assertThat(feast.column(TABLE, "value_text", "trips")).containsExactly("text:1");
    }
  }

  @Test
  void aTableWithoutValueTextGetsTheColumnAsFeastsUpdateAddsIt() throws Exception {
    try (FeastSqliteFile feast = feast()) {
      feast.execute(
          "CREATE TABLE "
              + quote(TABLE)
              + " (entity_key BLOB, feature_name TEXT, value BLOB, vector_value BLOB, event_ts"
              + " timestamp, created_ts timestamp, PRIMARY KEY(entity_key, feature_name))");
    }
    assertThat(write(WriteMode.NEWER_ONLY, List.of(sluiceRow(1, SLUICE_TIME))))
        .isEqualTo(new WriteStats(1, 0));
    try (FeastSqliteFile feast = feast()) {
      assertThat(feast.columns(TABLE)).endsWith("value_text");
      assertThat(feast.column(TABLE, "value_text", "name")).containsExactly("text:sluice-1");
    }
  }

  @Test
  void theReaderDecodesAFeastWrittenFileAndEarlierTimeForms() throws Exception {
    try (FeastSqliteFile feast = feast()) {
      feast.createTable(TABLE, false);
      feast.write(
          TABLE, int64EntityKey("driver_id", 1), feastValues(1), feastTexts(1), 1714607999L, null);
      List<String> earlier =
          List.of(
              "'2024-05-01 10:00:00.250000'", "'2024-05-01T12:00:00.250000+02:00'", "1714557600.5");
      for (int i = 0; i < earlier.size(); i++) {
        feast.execute(
            "INSERT INTO "
                + TABLE
                + " (entity_key, feature_name, value, event_ts) VALUES (x'"
                + hex(int64EntityKey("driver_id", i + 2))
                + "', 'trips', x'"
                + hex(Value.newBuilder().setInt64Val(i).build().toByteArray())
                + "', "
                + earlier.get(i)
                + ")");
      }
    }
    try (OnlineReader reader = OnlineStores.openReader(store(), VIEW, EntityKeyFormat.V3)) {
      StoredValues feastWritten = reader.read(List.of(1L)).orElseThrow();
      assertThat(feastWritten.eventTimestamp()).isEqualTo(Instant.parse("2024-05-01T23:59:59Z"));
      assertThat(feastWritten.values())
          .containsExactly(
              Map.entry("trips", 1001L), Map.entry("name", "feast-1"), Map.entry("rate", 1.5));
      assertThat(reader.read(List.of(2L)).orElseThrow().eventTimestamp())
          .isEqualTo(Instant.parse("2024-05-01T10:00:00.250Z"));
      assertThat(reader.read(List.of(3L)).orElseThrow().eventTimestamp())
          .isEqualTo(Instant.parse("2024-05-01T10:00:00.250Z"));
      assertThat(reader.read(List.of(4L)).orElseThrow().eventTimestamp())
          .isEqualTo(Instant.parse("2024-05-01T10:00:00.500Z"));
      assertThat(reader.read(List.of(5L))).isEmpty();
    }
  }

  @Test
  void theReaderNamesAStoredTimeItCannotRead() throws Exception {
    try (FeastSqliteFile feast = feast()) {
      feast.createTable(TABLE, false);
      feast.execute(
          "INSERT INTO "
              + TABLE
              + " (entity_key, feature_name, value, event_ts) VALUES (x'"
              + hex(int64EntityKey("driver_id", 1))
              + "', 'trips', x'', 'yesterday')");
    }
    try (OnlineReader reader = OnlineStores.openReader(store(), VIEW, EntityKeyFormat.V3)) {
      assertThatThrownBy(() -> reader.read(List.of(1L)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Cannot read \"test_driver_stats\": Invalid event_ts yesterday: neither epoch"
                  + " seconds nor a timestamp text");
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder text = new StringBuilder();
    for (byte b : bytes) {
      text.append(String.format("%02x", b));
    }
    return text.toString();
  }
}
