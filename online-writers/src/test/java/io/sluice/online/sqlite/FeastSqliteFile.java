package io.sluice.online.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import feast.proto.types.ValueProto.Value;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SQLite online store file as Feast 0.66 lays it out, writes and reads it ({@code
 * sdk/python/feast/infra/online_stores/sqlite.py} at v0.66.0), built by hand with Feast's own
 * statements, independent of the writer under test.
 */
final class FeastSqliteFile implements AutoCloseable {
  private final Connection connection;

  FeastSqliteFile(Path file) throws SQLException {
    this.connection = DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  /** Feast's {@code _quote_id}. */
  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The statements of Feast's {@code update}, character for character. */
  static List<String> createStatements(String table, boolean enableOpenaiCompatibleStore) {
    String valueNumColumn = enableOpenaiCompatibleStore ? "value_num REAL," : "";
    return List.of(
        "CREATE TABLE IF NOT EXISTS "
            + quote(table)
            + " (entity_key BLOB, feature_name TEXT, value BLOB, value_text TEXT, "
            + valueNumColumn
            + " vector_value BLOB, event_ts timestamp, created_ts timestamp, "
            + " PRIMARY KEY(entity_key, feature_name))",
        "CREATE INDEX IF NOT EXISTS "
            + quote(table + "_ek")
            + " ON "
            + quote(table)
            + " (entity_key);");
  }

  void createTable(String table, boolean enableOpenaiCompatibleStore) throws SQLException {
    for (String sql : createStatements(table, enableOpenaiCompatibleStore)) {
      execute(sql);
    }
  }

  void execute(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /**
   * Feast's {@code online_write_batch} for one entity without value_num: an unconditional upsert
   * per feature, times bound as {@code int(ts.timestamp())}. {@code texts} are the value_text Feast
   * computes, given by the caller.
   */
  void write(
      String table,
      byte[] entityKey,
      Map<String, Value> values,
      Map<String, String> texts,
      long eventSeconds,
      Long createdSeconds)
      throws SQLException {
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT INTO "
                + quote(table)
                + " (entity_key, feature_name, value, value_text, event_ts, created_ts) VALUES (?,"
                + " ?, ?, ?, ?, ?) ON CONFLICT(entity_key, feature_name) DO UPDATE SET value ="
                + " excluded.value, value_text = excluded.value_text, event_ts ="
                + " excluded.event_ts, created_ts = excluded.created_ts;")) {
      for (Map.Entry<String, Value> value : values.entrySet()) {
        upsert.setBytes(1, entityKey);
        upsert.setString(2, value.getKey());
        upsert.setBytes(3, value.getValue().toByteArray());
        upsert.setString(4, texts.get(value.getKey()));
        upsert.setLong(5, eventSeconds);
        upsert.setObject(6, createdSeconds);
        upsert.executeUpdate();
      }
    }
  }

  /** What Feast's {@code online_read} returns for one entity: its event time and values. */
  record FeastRead(Instant eventTime, Map<String, Value> values) {}

  /**
   * Every entity of {@code table} decoded by Feast's read rules: rows grouped by entity key, each
   * value parsed as a {@code ValueProto.Value}, the event time {@code int()} of the stored bytes
   * (the {@code timestamp} converter), which fails on anything but an integer.
   */
  Map<List<Byte>, FeastRead> readAll(String table) throws Exception {
    Map<List<Byte>, FeastRead> entities = new LinkedHashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT entity_key, feature_name, value, event_ts FROM "
                    + quote(table)
                    + " ORDER BY entity_key")) {
      while (rows.next()) {
        List<Byte> key = bytes(rows.getBytes(1));
        Value value = Value.parseFrom(rows.getBytes(3));
        String stored = rows.getString(4);
        assertThat(stored).as("event_ts of %s", rows.getString(2)).matches("-?[0-9]+");
        Instant time = Instant.ofEpochSecond(Long.parseLong(stored));
        FeastRead read = entities.get(key);
        Map<String, Value> values = read == null ? new LinkedHashMap<>() : read.values();
        values.put(rows.getString(2), value);
        entities.put(key, new FeastRead(time, values));
      }
    }
    return entities;
  }

  /** A byte array as a list, to key maps by content. */
  static List<Byte> bytes(byte[] array) {
    List<Byte> list = new ArrayList<>(array.length);
    for (byte b : array) {
      list.add(b);
    }
    return list;
  }

  /** One column of every row of {@code table} for {@code feature}, with its storage class. */
  List<String> column(String table, String column, String feature) throws SQLException {
    List<String> values = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT typeof("
                + column
                + ") || ':' || coalesce("
                + column
                + ", 'NULL') FROM "
                + quote(table)
                + " WHERE feature_name = ? ORDER BY entity_key")) {
      select.setString(1, feature);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          values.add(rows.getString(1));
        }
      }
    }
    return values;
  }

  /** {@code sqlite_master}'s statements for {@code table} and its indexes, in creation order. */
  List<String> schema(String table) throws SQLException {
    List<String> sql = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY rowid")) {
      select.setString(1, table);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          sql.add(rows.getString(1));
        }
      }
    }
    return sql;
  }

  /** Column names of {@code table}, in order. */
  List<String> columns(String table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("PRAGMA table_info(" + quote(table) + ")")) {
      while (rows.next()) {
        names.add(rows.getString("name"));
      }
    }
    return names;
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
