package io.sluice.common.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/**
 * How Sluice uses an SQLite file that several threads and processes write at once (the online store
 * and the registry): a busy timeout, WAL, and transactions begun and ended with explicit statements
 * while the driver stays in autocommit.
 *
 * <p>Why explicit statements: sqlite-jdbc's own transactions re-open a transaction right after each
 * commit (holding the file's write lock while the connection is idle, which stalls every other
 * writer) and flip their autocommit flag before {@code BEGIN} runs (so a {@code BEGIN} that timed
 * out on the lock would leave a retry outside any transaction).
 */
public final class SqliteFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteFiles.class);

  /** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
  public static final int DEFAULT_BUSY_TIMEOUT_MILLIS = 30_000;

  private SqliteFiles() {}

  /**
   * The one rule for the folder of an SQLite file Sluice writes (the online store and the
   * registry): when it is missing, it is created, with its parents, and an INFO line says so, as
   * Feast does for its SQLite online store. Call it before {@link #open}; safe to call
   * concurrently.
   *
   * @param role what the file is, for the log line: "the SQLite registry"
   * @throws IOException when a folder cannot be created (a file in the way, no permission)
   */
  public static void createMissingFolders(Path file, String role) throws IOException {
    Path folder = file.toAbsolutePath().normalize().getParent();
    if (folder == null || Files.isDirectory(folder)) {
      return;
    }
    Files.createDirectories(folder);
    LOG.info("Created the missing folder {} for {} {}", folder, role, file);
  }

  /** Work inside one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws SQLException;
  }

  /**
   * Opens {@code path} (created when missing; its folder must exist, see {@link
   * #createMissingFolders}) with {@code busyTimeoutMillis} in force and the file in WAL mode, in
   * autocommit.
   */
  public static Connection open(String path, int busyTimeoutMillis) throws SQLException {
    return open(path, busyTimeoutMillis, List.of());
  }

  /**
   * As {@link #open(String, int)}, then runs each of {@code settings} (such as {@code PRAGMA
   * synchronous = NORMAL}) on the new connection; the connection is closed if one fails.
   */
  public static Connection open(String path, int busyTimeoutMillis, List<String> settings)
      throws SQLException {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setBusyTimeout(busyTimeoutMillis);
    // Take the write lock when a transaction begins, so two writers never deadlock upgrading.
    sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    Connection opened = sqlite.createConnection("jdbc:sqlite:" + path);
    try (Statement statement = opened.createStatement()) {
      // Switching to WAL needs a lock that other processes may hold for a moment; issued here,
      // after the busy timeout is in force, it waits instead of failing. WAL persists in the file.
      statement.execute("PRAGMA busy_timeout = " + busyTimeoutMillis);
      statement.execute("PRAGMA journal_mode = WAL");
      for (String setting : settings) {
        statement.execute(setting);
      }
      return opened;
    } catch (SQLException e) {
      try {
        opened.close();
      } catch (SQLException close) {
        e.addSuppressed(close);
      }
      throw e;
    }
  }

  /**
   * Opens an existing {@code path} to read only, with {@code busyTimeoutMillis} in force: a spot
   * check that never changes the file (not even its journal mode).
   */
  public static Connection openReadOnly(String path, int busyTimeoutMillis) throws SQLException {
    SQLiteConfig sqlite = new SQLiteConfig();
    sqlite.setReadOnly(true);
    sqlite.setBusyTimeout(busyTimeoutMillis);
    return sqlite.createConnection("jdbc:sqlite:" + path);
  }

  /** {@code BEGIN IMMEDIATE}: waits up to the busy timeout for the file's write lock. */
  public static void beginImmediate(Connection connection) throws SQLException {
    execute(connection, "BEGIN IMMEDIATE");
  }

  public static void commit(Connection connection) throws SQLException {
    execute(connection, "COMMIT");
  }

  /**
   * Ends a failed transaction. SQLite may have ended it already (after SQLITE_BUSY, say), which is
   * no error; any other failure to roll back is added to {@code failure} as suppressed.
   */
  public static void rollback(Connection connection, Throwable failure) {
    try {
      execute(connection, "ROLLBACK");
    } catch (SQLException rollback) {
      if (!String.valueOf(rollback.getMessage()).contains("no transaction is active")) {
        failure.addSuppressed(rollback);
      }
    }
  }

  /** Runs {@code work} in one immediate transaction; rolls back and rethrows on any failure. */
  public static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
    beginImmediate(connection);
    try {
      T result = work.run();
      commit(connection);
      return result;
    } catch (SQLException | RuntimeException e) {
      rollback(connection, e);
      throw e;
    }
  }

  /** Another connection held a lock past the busy timeout: retrying the transaction may succeed. */
  public static boolean isBusy(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLiteException sqlite) {
        String code = sqlite.getResultCode().name();
        return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
      }
      if (cause instanceof SQLException sql && isSqliteCode(sql, 5, 6)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The file cannot be opened at all ({@code SQLITE_CANTOPEN}): its folder is missing, or it or its
   * folder may not be read or written. One case of {@link #isUnusable}.
   */
  public static boolean isCantOpen(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLiteException sqlite) {
        return sqlite.getResultCode().name().startsWith("SQLITE_CANTOPEN");
      }
      if (cause instanceof SQLException sql && isSqliteCode(sql, 14)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The file cannot be opened or written, or is no SQLite database: retrying cannot help, the
   * configuration must change.
   */
  public static boolean isUnusable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLiteException sqlite) {
        String code = sqlite.getResultCode().name();
        return code.startsWith("SQLITE_READONLY")
            || code.startsWith("SQLITE_CANTOPEN")
            || code.equals("SQLITE_NOTADB")
            || code.startsWith("SQLITE_PERM")
            || code.startsWith("SQLITE_AUTH");
      }
      // SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_AUTH, SQLITE_NOTADB
      if (cause instanceof SQLException sql && isSqliteCode(sql, 3, 8, 14, 23, 26)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the primary result code (the low byte of an extended code) is one of {@code codes}. */
  private static boolean isSqliteCode(SQLException e, int... codes) {
    int primary = e.getErrorCode() & 0xff;
    for (int code : codes) {
      if (primary == code) {
        return true;
      }
    }
    return false;
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
