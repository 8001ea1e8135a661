package io.sluice.online.sqlite;

import io.sluice.common.retry.Attempt;
import io.sluice.common.retry.RetryExhaustedException;
import io.sluice.common.retry.RetryRule;
import io.sluice.common.sqlite.SqliteFiles;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineStoreUnavailableException;
import io.sluice.online.OnlineWriter;
import io.sluice.online.StoreRetries;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.format.RowEncoder;
import io.sluice.online.format.RowEncoder.EncodedRow;
import io.sluice.online.format.ValueTextAndNumber;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a feature view to Feast's embedded SQLite online store in the layout Feast 0.66 writes and
 * reads: table {@code <project>_<view>}, one row per (entity, feature) holding the serialized
 * value, its {@code value_text} (and {@code value_num} when {@code enable_openai_compatible_store}
 * is set and the table has that column; see {@link ValueTextAndNumber}), and {@code event_ts} and
 * {@code created_ts} as whole epoch seconds ({@link SqliteEventTimes}). A missing table is created
 * with Feast's statements; a table without {@code value_text} gets it, as Feast's {@code update}
 * does. {@code vector_value} is never written.
 *
 * <p>Each batch is one immediate-write transaction. Each entity is one multi-row upsert; in
 * newer-only mode its {@code WHERE} makes the check and the write one statement (Feast's own SQLite
 * writer always overwrites). The check compares like with like: the new event time's whole seconds
 * against the stored time's whole seconds, whatever its storage class (files written before hold
 * text), and a row is written only when the new second is strictly greater. The store keeps whole
 * seconds only, as Feast's does, so a stored time from the same second may have been earlier or
 * later than the new one; keeping it never replaces a value with one that may be older, and a rerun
 * of a window writes nothing and reports its rows as not newer. So within one second the first
 * writer wins. A stored time that is no time at all (NULL, a BLOB, text SQLite cannot read), on
 * which Feast's reader fails, is overwritten. Force mode writes regardless.
 *
 * <p>The file is in WAL mode with a busy timeout, so many partitions and processes can write one
 * file at once; a lock that outlasts the timeout is retried within the retry budget, never surfaced
 * as "database is locked".
 */
final class SqliteOnlineWriter implements OnlineWriter {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteOnlineWriter.class);

  /**
   * Set on every connection, beside the busy timeout and WAL. In WAL mode NORMAL keeps the file
   * consistent; a power failure may lose only the last commits.
   */
  private static final List<String> SETTINGS = List.of("PRAGMA synchronous = NORMAL");

  private final int busyTimeoutMillis;
  private final SqliteOnlineStoreConfig config;
  private final WriteOptions options;
  private final RetryRule retry;
  private final RowEncoder encoder;
  private final String[] featureNames;
  private final Connection connection;
  private final boolean writesValueNumber;
  private final PreparedStatement upsert;
  private final StoreRetries retries = StoreRetries.withoutThrottling();
  private WriteStats stats = WriteStats.NONE;

  SqliteOnlineWriter(SqliteOnlineStoreConfig config, FeatureViewSchema view, WriteOptions options) {
    this(config, view, options, SqliteFiles.DEFAULT_BUSY_TIMEOUT_MILLIS);
  }

  /** With a chosen busy timeout, for tests of lock contention. */
  SqliteOnlineWriter(
      SqliteOnlineStoreConfig config,
      FeatureViewSchema view,
      WriteOptions options,
      int busyTimeoutMillis) {
    this.busyTimeoutMillis = busyTimeoutMillis;
    this.config = config;
    this.options = options;
    this.retry = options.retryRule(SqliteFiles::isBusy, retries);
    this.encoder = new RowEncoder(view, options.keyFormat());
    this.featureNames = view.features().stream().map(c -> c.name()).toArray(String[]::new);
    String table = view.project() + "_" + view.name();
    this.connection = retrying("open " + config.path(), 0, this::openConnection);
    try {
      boolean hasValueNumber =
          retrying(
              "create table " + table,
              0,
              () -> SqliteFiles.inTransaction(connection, () -> prepareTable(table)));
      if (config.enableOpenaiCompatibleStore() && !hasValueNumber) {
        LOG.warn(
            "enable_openai_compatible_store is true but table {} in {} has no value_num column"
                + " (feast apply adds it); writing without value_num, as Feast does",
            table,
            config.path());
      }
      this.writesValueNumber = config.enableOpenaiCompatibleStore() && hasValueNumber;
      this.upsert = connection.prepareStatement(upsertSql(table, featureNames.length));
    } catch (SQLException | RuntimeException e) {
      close();
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw unavailable("prepare writes to " + table, e, 0);
    }
  }

  @Override
  public WriteStats write(List<FeatureRow> batch) {
    if (batch.isEmpty()) {
      return WriteStats.NONE;
    }
    WriteStats before = stats();
    List<EncodedRow> rows = encoder.encodeBatch(batch, stats);
    WriteStats result =
        retrying(
            "write " + rows.size() + " rows of " + encoder.view().name(),
            rows.size(),
            () -> writeTransaction(rows));
    stats = stats.plus(result);
    return stats().since(before);
  }

  @Override
  public WriteStats stats() {
    return stats.withRetries(retries);
  }

  @Override
  public void close() {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("Cannot close SQLite online store {}", config.path(), e);
    }
  }

  /**
   * One batch in one immediate transaction, begun and ended with explicit statements while the
   * driver stays in autocommit (see {@link SqliteFiles}).
   */
  private WriteStats writeTransaction(List<EncodedRow> rows) throws SQLException {
    int[] changed = SqliteFiles.inTransaction(connection, () -> upsertAll(rows));
    long written = 0;
    for (int count : changed) {
      if (count > 0 || count == Statement.SUCCESS_NO_INFO) {
        written++;
      }
    }
    return new WriteStats(written, rows.size() - written);
  }

  /** One upsert per entity, sent as one JDBC batch; a failed batch leaves nothing queued. */
  private int[] upsertAll(List<EncodedRow> rows) throws SQLException {
    try {
      for (EncodedRow row : rows) {
        long eventSeconds = SqliteEventTimes.epochSeconds(row.eventTimestamp());
        int parameter = 1;
        for (int i = 0; i < featureNames.length; i++) {
          upsert.setBytes(parameter++, row.entityKey());
          upsert.setString(parameter++, featureNames[i]);
          upsert.setBytes(parameter++, row.values()[i]);
          upsert.setString(parameter++, ValueTextAndNumber.text(row.protos()[i]).orElse(null));
          if (writesValueNumber) {
            OptionalDouble number = ValueTextAndNumber.number(row.protos()[i]);
            if (number.isPresent()) {
              upsert.setDouble(parameter++, number.getAsDouble());
            } else {
              upsert.setNull(parameter++, Types.REAL);
            }
          }
          upsert.setLong(parameter++, eventSeconds);
          if (row.createdTimestamp() == null) {
            upsert.setNull(parameter++, Types.INTEGER);
          } else {
            upsert.setLong(parameter++, SqliteEventTimes.epochSeconds(row.createdTimestamp()));
          }
        }
        upsert.addBatch();
      }
      return upsert.executeBatch();
    } catch (SQLException | RuntimeException e) {
      upsert.clearBatch();
      throw e;
    }
  }

  private Connection openConnection() throws SQLException {
    try {
      SqliteFiles.createMissingFolders(Path.of(config.path()), "the SQLite online store");
    } catch (java.io.IOException e) {
      throw new InvalidOnlineStoreConfigException(
          "Cannot create the folder of the SQLite online store "
              + config.path()
              + ": "
              + e
              + "; check online_store.path");
    }
    return SqliteFiles.open(config.path(), busyTimeoutMillis, SETTINGS);
  }

  /**
   * Creates the table and its index with Feast's statements (text for text, so {@code
   * sqlite_master} holds what Feast's {@code update} would have written) and adds {@code
   * value_text} to a table that lacks it. Runs in one immediate transaction, so racing writers
   * never both add the column.
   *
   * @return whether the table has a {@code value_num} column
   */
  private boolean prepareTable(String table) throws SQLException {
    String valueNumberColumn = config.enableOpenaiCompatibleStore() ? "value_num REAL," : "";
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + quote(table)
              + " (entity_key BLOB, feature_name TEXT, value BLOB, value_text TEXT, "
              + valueNumberColumn
              + " vector_value BLOB, event_ts timestamp, created_ts timestamp, "
              + " PRIMARY KEY(entity_key, feature_name))");
      statement.execute(
          "CREATE INDEX IF NOT EXISTS "
              + quote(table + "_ek")
              + " ON "
              + quote(table)
              + " (entity_key);");
      Set<String> columns = new HashSet<>();
      try (ResultSet info = statement.executeQuery("PRAGMA table_info(" + quote(table) + ")")) {
        while (info.next()) {
          columns.add(info.getString("name"));
        }
      }
      if (!columns.contains("value_text")) {
        statement.execute(
            "ALTER TABLE " + quote(table) + " ADD COLUMN " + quote("value_text") + " TEXT");
      }
      return columns.contains("value_num");
    }
  }

  private String upsertSql(String table, int features) {
    List<String> columns = new ArrayList<>(List.of("value", "value_text"));
    if (writesValueNumber) {
      columns.add("value_num");
    }
    columns.addAll(List.of("event_ts", "created_ts"));
    String row = "(?, ?" + ", ?".repeat(columns.size()) + ")";
    StringBuilder sql =
        new StringBuilder("INSERT INTO ")
            .append(quote(table))
            .append(" (entity_key, feature_name, ")
            .append(String.join(", ", columns))
            .append(") VALUES ");
    for (int i = 0; i < features; i++) {
      sql.append(i == 0 ? "" : ", ").append(row);
    }
    sql.append(" ON CONFLICT(entity_key, feature_name) DO UPDATE SET ");
    for (int i = 0; i < columns.size(); i++) {
      sql.append(i == 0 ? "" : ", ")
          .append(columns.get(i))
          .append(" = excluded.")
          .append(columns.get(i));
    }
    if (options.mode() == WriteMode.NEWER_ONLY) {
      String stored = "(" + SqliteEventTimes.storedSecondsSql(quote(table) + ".event_ts") + ")";
      sql.append(" WHERE ")
          .append(stored)
          .append(" IS NULL OR excluded.event_ts > ")
          .append(stored);
    }
    return sql.toString();
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private <T> T retrying(String what, long rows, Attempt<T> attempt) {
    try {
      return retry.call(what, attempt);
    } catch (InvalidOnlineStoreConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      if (SqliteFiles.isUnusable(e)) {
        throw new InvalidOnlineStoreConfigException(
            "Cannot "
                + what
                + " in SQLite online store "
                + config.path()
                + ": "
                + e.getMessage()
                + "; check online_store.path (a writable SQLite file)",
            e,
            stats(),
            rows);
      }
      throw unavailable(what, e, rows);
    }
  }

  private OnlineStoreUnavailableException unavailable(String what, Exception cause, long rows) {
    // A lock held past the budget reads "Cannot <what>: <the last SQLiteException>", as it always
    // has.
    String detail =
        cause instanceof RetryExhaustedException exhausted && !exhausted.interrupted()
            ? "Cannot " + what + ": " + exhausted.getCause()
            : cause.getMessage();
    return new OnlineStoreUnavailableException(
        "Cannot "
            + what
            + " in SQLite online store "
            + config.path()
            + ": "
            + detail
            + "; "
            + rows
            + " rows of this batch not written, "
            + stats.acknowledged()
            + " rows acknowledged before stay written",
        cause,
        stats(),
        rows);
  }
}
