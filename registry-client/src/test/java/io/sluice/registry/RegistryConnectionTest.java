package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.common.retry.RetryRule;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How write transactions retry conflicts and report the failures they do not retry. */
class RegistryConnectionTest {
  @TempDir Path folder;

  private RegistryConfig config;

  /** What SQLite reports when another process held the write lock past the busy timeout. */
  private static SQLException busy() {
    return new SQLException(
        "[SQLITE_BUSY] The database file is locked (database is locked)", null, 5);
  }

  private static long rows(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM t")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static void insert(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("INSERT INTO t VALUES (1)");
    }
  }

  @BeforeEach
  void createTable() {
    config = RegistryConfig.sqlite(folder.resolve("registry.db"));
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ZERO)) {
      connection.autocommit(
          "create t",
          c -> {
            try (Statement statement = c.createStatement()) {
              return statement.execute("CREATE TABLE t (x INTEGER)");
            }
          });
    }
  }

  private static String pragma(Connection connection, String name) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("PRAGMA " + name)) {
      rows.next();
      return rows.getString(1);
    }
  }

  @Test
  void anSqliteRegistryIsOpenedInWalModeWithABusyTimeoutAndFullSync() {
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ZERO)) {
      String journal = connection.autocommit("read", c -> pragma(c, "journal_mode"));
      String busyTimeout = connection.autocommit("read", c -> pragma(c, "busy_timeout"));
      String synchronous = connection.autocommit("read", c -> pragma(c, "synchronous"));
      boolean autocommit = connection.autocommit("read", Connection::getAutoCommit);

      assertThat(journal).isEqualTo("wal");
      assertThat(busyTimeout).isEqualTo("30000");
      // SQLite's default, 2 = FULL: every commit is synced.
      assertThat(synchronous).isEqualTo("2");
      assertThat(autocommit).isTrue();
    }
  }

  @Test
  void aConflictIsRolledBackAndRunAgain() {
    AtomicInteger attempts = new AtomicInteger();
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ofSeconds(10))) {
      long rows =
          connection.inTransaction(
              "insert a row",
              c -> {
                insert(c);
                if (attempts.incrementAndGet() < 3) {
                  throw busy();
                }
                return rows(c);
              });

      assertThat(attempts).hasValue(3);
      assertThat(rows).isEqualTo(1);
      assertThat(connection.autocommit("count", RegistryConnectionTest::rows)).isEqualTo(1);
    }
  }

  @Test
  void conflictsPastTheBudgetLeaveTheRegistryUnavailable() {
    AtomicInteger attempts = new AtomicInteger();
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ofMillis(200))) {
      assertThatThrownBy(
              () ->
                  connection.inTransaction(
                      "insert a row",
                      c -> {
                        insert(c);
                        attempts.incrementAndGet();
                        throw busy();
                      }))
          .isInstanceOfSatisfying(
              RegistryUnavailableException.class,
              e -> {
                assertThat(e.getCause()).isInstanceOf(SQLException.class);
                assertThat(e.getSuppressed()).isNotEmpty();
              })
          .hasMessage(
              "Cannot insert a row in the registry at "
                  + config.jdbcUrl()
                  + ": the database stayed locked by other writers for 0.2 s of retries;"
                  + " run it again later");
      assertThat(attempts.get()).isGreaterThan(1);
      assertThat(connection.autocommit("count", RegistryConnectionTest::rows)).isZero();
    }
    assertThat(RetryRule.describe(SqlRegistry.RETRY_BUDGET)).isEqualTo("120 s");
  }

  @Test
  void anInterruptStopsTheRetriesAndKeepsTheInterruptStatus() {
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ofSeconds(10))) {
      assertThatThrownBy(
              () ->
                  connection.inTransaction(
                      "insert a row",
                      c -> {
                        Thread.currentThread().interrupt();
                        throw busy();
                      }))
          .isInstanceOf(RegistryUnavailableException.class)
          .hasMessage("Cannot insert a row: interrupted while waiting to retry")
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).isTrue();
    }
  }

  @Test
  void anyOtherFailureIsRolledBackAndNotRetried() {
    AtomicInteger attempts = new AtomicInteger();
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ofSeconds(10))) {
      assertThatThrownBy(
              () ->
                  connection.inTransaction(
                      "insert a row",
                      c -> {
                        attempts.incrementAndGet();
                        insert(c);
                        try (Statement statement = c.createStatement()) {
                          return statement.executeUpdate("INSERT INTO missing VALUES (1)");
                        }
                      }))
          .isInstanceOf(RegistryConfigurationException.class)
          .hasMessageStartingWith(
              "Cannot insert a row in the registry at " + config.jdbcUrl() + ": ")
          .hasMessageContaining("no such table: missing");
      assertThat(attempts).hasValue(1);
      assertThat(connection.autocommit("count", RegistryConnectionTest::rows)).isZero();
    }
  }
}
