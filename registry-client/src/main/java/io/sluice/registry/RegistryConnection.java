package io.sluice.registry;

import io.sluice.common.retry.RetryExhaustedException;
import io.sluice.common.retry.RetryRule;
import io.sluice.common.sqlite.SqliteFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The registry's one JDBC connection and the two ways work runs on it: in autocommit (reads and
 * DDL, not retried) or in one write transaction that is retried on conflicts.
 *
 * <ul>
 *   <li>A connection the server dropped is reopened before the next piece of work.
 *   <li>Transactions begin with {@code BEGIN IMMEDIATE} on SQLite (the whole file is the lock,
 *       taken before the first read) and by leaving autocommit on PostgreSQL and MySQL.
 *   <li>A transaction that fails on a lock conflict, a deadlock, a serialization failure or {@code
 *       SQLITE_BUSY} is rolled back and run again with capped exponential backoff and jitter,
 *       within the retry budget; then {@link RegistryUnavailableException}.
 *   <li>A connection lost during {@code COMMIT} is {@link RegistryOutcomeUnknownException}: the
 *       change may or may not have landed.
 *   <li>Every other JDBC failure becomes the {@link RegistryException} of its kind.
 * </ul>
 *
 * <p>Not thread-safe: {@link SqlRegistry} serializes its calls.
 */
final class RegistryConnection implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryConnection.class);

  private static final int CONNECT_TIMEOUT_SECONDS = 10;

  /** Work on the connection; the SQL failures it throws become {@link RegistryException}s. */
  @FunctionalInterface
  interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  /** Thrown inside an attempt to make the retry rule run it again. */
  private static final class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConflictException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private final RegistryConfig config;
  private final RetryRule conflictRetries;
  private Connection connection;

  private RegistryConnection(RegistryConfig config, Duration retryBudget, Connection connection) {
    this.config = config;
    this.conflictRetries =
        RetryRule.retrying(ConflictException.class::isInstance)
            .backoff(Duration.ofMillis(5), Duration.ofMillis(500))
            .jitter(0.5)
            .budget(retryBudget)
            .logRetriesAt(Level.DEBUG)
            .build();
    this.connection = connection;
  }

  /** Connects; write transactions retry conflicts for at most {@code retryBudget}. */
  static RegistryConnection open(RegistryConfig config, Duration retryBudget) {
    return new RegistryConnection(config, retryBudget, connect(config));
  }

  RegistryConfig config() {
    return config;
  }

  /** Runs read-only or DDL work in autocommit mode, without retries. */
  <T> T autocommit(String action, Work<T> work) {
    Connection current = validConnection();
    try {
      return work.apply(current);
    } catch (SQLException e) {
      throw translate(action, e);
    }
  }

  /** Runs {@code work} in one write transaction, retrying lock conflicts within the budget. */
  <T> T inTransaction(String action, Work<T> work) {
    try {
      return conflictRetries.call(action, () -> attempt(action, work));
    } catch (RetryExhaustedException e) {
      // The rule has restored the interrupt status; the cause is the last conflict, or the
      // InterruptedException when interrupted.
      String message =
          e.interrupted()
              ? "Cannot " + action + ": interrupted while waiting to retry"
              : "Cannot "
                  + action
                  + " in the registry at "
                  + config.describe()
                  + ": the database stayed locked by other writers for "
                  + RetryRule.describe(conflictRetries.budget())
                  + " of retries; run it again later";
      Throwable last = e.getCause();
      RegistryUnavailableException failure =
          new RegistryUnavailableException(
              message, last instanceof ConflictException ? last.getCause() : last);
      for (Throwable earlier : e.getSuppressed()) {
        failure.addSuppressed(earlier);
      }
      throw failure;
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("Ignoring a failure to close the registry connection to {}", config.describe(), e);
    }
  }

  private <T> T attempt(String action, Work<T> work) {
    Connection current = validConnection();
    boolean sqlite = config.dialect() == RegistryDialect.SQLITE;
    try {
      begin(current, sqlite);
    } catch (SQLException e) {
      throw conflictOr(action, e);
    }
    T result;
    try {
      result = work.apply(current);
    } catch (SQLException e) {
      rollback(current, sqlite, e);
      throw conflictOr(action, e);
    } catch (RuntimeException e) {
      rollback(current, sqlite, e);
      throw e;
    }
    try {
      if (sqlite) {
        SqliteFiles.commit(current);
      } else {
        current.commit();
        current.setAutoCommit(true);
      }
      return result;
    } catch (SQLException e) {
      SqlErrors.Kind kind = SqlErrors.classify(e, config.dialect());
      if (kind == SqlErrors.Kind.CONNECTION || connectionLost(current)) {
        throw new RegistryOutcomeUnknownException(
            "Cannot tell whether '"
                + action
                + "' was committed in the registry at "
                + config.describe()
                + ": the connection failed during COMMIT ("
                + e.getMessage()
                + "). Do not undo the work; check the registry, or run the same window again"
                + " (recording an interval twice is harmless)",
            e);
      }
      rollback(current, sqlite, e);
      throw conflictOr(action, e);
    }
  }

  private static void begin(Connection connection, boolean sqlite) throws SQLException {
    if (sqlite) {
      // Explicit statements in autocommit hold the write lock exactly as long as the transaction.
      SqliteFiles.beginImmediate(connection);
    } else {
      connection.setAutoCommit(false);
    }
  }

  /**
   * Ends the failed transaction; an SQLite rollback's own failure is suppressed in {@code failure}.
   */
  private void rollback(Connection connection, boolean sqlite, Throwable failure) {
    if (sqlite) {
      SqliteFiles.rollback(connection, failure);
      return;
    }
    try {
      connection.rollback();
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      LOG.debug("Ignoring a failed rollback on {}", config.describe(), e);
    }
  }

  private static boolean connectionLost(Connection connection) {
    try {
      return connection.isClosed() || !connection.isValid(5);
    } catch (SQLException e) {
      return true;
    }
  }

  private RuntimeException conflictOr(String action, SQLException e) {
    if (SqlErrors.classify(e, config.dialect()) == SqlErrors.Kind.CONFLICT) {
      return new ConflictException(e);
    }
    return translate(action, e);
  }

  private RegistryException translate(String action, SQLException e) {
    return switch (SqlErrors.classify(e, config.dialect())) {
      case CONNECTION, CONFLICT ->
          new RegistryUnavailableException(
              "Cannot "
                  + action
                  + ": the registry at "
                  + config.describe()
                  + " failed: "
                  + e.getMessage(),
              e);
      case ACCESS ->
          new RegistryConfigurationException(
              "Cannot "
                  + action
                  + ": the registry at "
                  + config.describe()
                  + " refused access: "
                  + e.getMessage(),
              e);
      case OTHER ->
          new RegistryConfigurationException(
              "Cannot "
                  + action
                  + " in the registry at "
                  + config.describe()
                  + ": "
                  + e.getMessage(),
              e);
    };
  }

  /** The connection, reopened when the server dropped it while the run was busy elsewhere. */
  private Connection validConnection() {
    if (!connectionLost(connection)) {
      return connection;
    }
    LOG.info("Reconnecting to the registry at {}", config.describe());
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("Ignoring a failure to close a broken registry connection", e);
    }
    connection = connect(config);
    return connection;
  }

  private static Connection connect(RegistryConfig config) {
    try {
      return config.dialect() == RegistryDialect.SQLITE
          ? SqliteFiles.open(createFolder(config), SqliteFiles.DEFAULT_BUSY_TIMEOUT_MILLIS)
          : connectToServer(config);
    } catch (SQLException e) {
      SqlErrors.Kind kind = SqlErrors.classify(e, config.dialect());
      String message =
          switch (kind) {
            case ACCESS ->
                config.dialect() == RegistryDialect.SQLITE
                    ? "Cannot open the SQLite registry "
                        + sqliteFile(config)
                        + ": check that its folder exists and is writable"
                    : "Cannot log in to the registry at "
                        + config.describe()
                        + ": "
                        + e.getMessage()
                        + "; check the user, password and database in registry.path";
            default ->
                "Cannot connect to the registry at " + config.describe() + ": " + e.getMessage();
          };
      if (kind == SqlErrors.Kind.CONNECTION || kind == SqlErrors.Kind.CONFLICT) {
        throw new RegistryUnavailableException(message, e);
      }
      throw new RegistryConfigurationException(message, e);
    }
  }

  private static Connection connectToServer(RegistryConfig config) throws SQLException {
    Properties properties = new Properties();
    Driver driver;
    switch (config.dialect()) {
      case POSTGRESQL -> {
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("tcpKeepAlive", "true");
        driver = new org.postgresql.Driver();
      }
      case MYSQL -> {
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS * 1000));
        properties.setProperty("tcpKeepAlive", "true");
        driver = new org.mariadb.jdbc.Driver();
      }
      default -> throw new IllegalStateException("Unknown dialect " + config.dialect());
    }
    if (config.user() != null) {
      properties.setProperty("user", config.user());
    }
    if (config.password() != null) {
      properties.setProperty("password", config.password());
    }
    Connection connection = driver.connect(config.jdbcUrl(), properties);
    if (connection == null) {
      throw new RegistryConfigurationException(
          "Invalid registry URL " + config.jdbcUrl() + ": the JDBC driver does not accept it");
    }
    return connection;
  }

  /** The SQLite registry's file, its folder created when missing (as the online store's is). */
  private static String createFolder(RegistryConfig config) {
    String file = sqliteFile(config);
    try {
      SqliteFiles.createMissingFolders(Path.of(file), "the SQLite registry");
    } catch (IOException e) {
      throw new RegistryConfigurationException(
          "Cannot create the folder of the SQLite registry "
              + file
              + ": "
              + e
              + "; check registry.path",
          e);
    }
    return file;
  }

  private static String sqliteFile(RegistryConfig config) {
    return config.jdbcUrl().substring("jdbc:sqlite:".length());
  }
}
