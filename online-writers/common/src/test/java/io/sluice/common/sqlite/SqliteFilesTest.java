package io.sluice.common.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteFilesTest {
  @TempDir Path folder;

  private static long count(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM t")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void opensInWalModeWithTheBusyTimeout() throws Exception {
    try (Connection connection = SqliteFiles.open(folder.resolve("a.db").toString(), 1234);
        Statement statement = connection.createStatement()) {
      try (ResultSet mode = statement.executeQuery("PRAGMA journal_mode")) {
        mode.next();
        assertThat(mode.getString(1)).isEqualTo("wal");
      }
      try (ResultSet timeout = statement.executeQuery("PRAGMA busy_timeout")) {
        timeout.next();
        assertThat(timeout.getInt(1)).isEqualTo(1234);
      }
      assertThat(connection.getAutoCommit()).isTrue();
    }
  }

  @Test
  void settingsRunOnTheNewConnection() throws Exception {
    try (Connection connection =
            SqliteFiles.open(
                folder.resolve("s.db").toString(), 1000, List.of("PRAGMA synchronous = NORMAL"));
        Statement statement = connection.createStatement();
        ResultSet synchronous = statement.executeQuery("PRAGMA synchronous")) {
      synchronous.next();
      assertThat(synchronous.getInt(1)).isEqualTo(1); // NORMAL (the default is FULL, 2)
    }
    assertThatThrownBy(
            () ->
                SqliteFiles.open(
                    folder.resolve("t.db").toString(), 1000, List.of("PRAGMA no such syntax (")))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("syntax error");
  }

  @Test
  void aTransactionCommitsOrRollsBackWhole() throws Exception {
    try (Connection connection = SqliteFiles.open(folder.resolve("b.db").toString(), 1000)) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)");
      }
      SqliteFiles.inTransaction(
          connection,
          () -> {
            try (Statement statement = connection.createStatement()) {
              return statement.executeUpdate("INSERT INTO t VALUES (1)");
            }
          });
      assertThatThrownBy(
              () ->
                  SqliteFiles.inTransaction(
                      connection,
                      () -> {
                        try (Statement statement = connection.createStatement()) {
                          statement.executeUpdate("INSERT INTO t VALUES (2)");
                          return statement.executeUpdate("INSERT INTO t VALUES (1)");
                        }
                      }))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("UNIQUE");
      assertThat(count(connection)).isEqualTo(1);
      // The failed transaction was ended: a new one can begin.
      SqliteFiles.beginImmediate(connection);
      SqliteFiles.commit(connection);
    }
  }

  @Test
  void aSecondWriterWaitsThenReportsBusy() throws Exception {
    String path = folder.resolve("c.db").toString();
    try (Connection holder = SqliteFiles.open(path, 1000);
        Connection waiter = SqliteFiles.open(path, 50)) {
      SqliteFiles.beginImmediate(holder);
      try {
        assertThatThrownBy(() -> SqliteFiles.beginImmediate(waiter))
            .satisfies(e -> assertThat(SqliteFiles.isBusy(e)).isTrue())
            .satisfies(e -> assertThat(SqliteFiles.isUnusable(e)).isFalse());
      } finally {
        SqliteFiles.rollback(holder, new RuntimeException("unused"));
      }
      RuntimeException failure = new RuntimeException("nothing to roll back");
      SqliteFiles.rollback(waiter, failure);
      assertThat(failure.getSuppressed()).isEmpty();
    }
  }

  @Test
  void aReadOnlyConnectionReadsAndNeverWrites() throws Exception {
    String path = folder.resolve("e.db").toString();
    try (Connection writer = SqliteFiles.open(path, 1000);
        Statement statement = writer.createStatement()) {
      statement.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)");
      statement.execute("INSERT INTO t VALUES (1)");
    }
    try (Connection reader = SqliteFiles.openReadOnly(path, 1000)) {
      assertThat(count(reader)).isEqualTo(1);
      assertThatThrownBy(
              () -> {
                try (Statement statement = reader.createStatement()) {
                  statement.execute("INSERT INTO t VALUES (2)");
                }
              })
          .satisfies(e -> assertThat(SqliteFiles.isUnusable(e)).isTrue());
    }
  }

  @Test
  void aFileThatIsNoDatabaseIsUnusable() throws Exception {
    Path path = Files.writeString(folder.resolve("d.db"), "this is not a database file at all");

    assertThatThrownBy(
            () -> {
              try (Connection connection = SqliteFiles.open(path.toString(), 100)) {
                SqliteFiles.beginImmediate(connection);
              }
            })
        .satisfies(e -> assertThat(SqliteFiles.isUnusable(e)).isTrue())
        .satisfies(e -> assertThat(SqliteFiles.isCantOpen(e)).isFalse())
        .satisfies(e -> assertThat(SqliteFiles.isBusy(e)).isFalse());
  }

  @Test
  void missingFoldersAreCreatedWithAnInfoLineOnce() throws Exception {
    Path file = folder.resolve("state/nested/registry.db");
    List<String> logged = new CopyOnWriteArrayList<>();
    org.apache.logging.log4j.core.Logger logger =
        (org.apache.logging.log4j.core.Logger) LogManager.getLogger(SqliteFiles.class);
    Level level = logger.getLevel();
    AbstractAppender appender =
        new AbstractAppender("lines", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            logged.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
          }
        };
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
    try {
      SqliteFiles.createMissingFolders(file, "the SQLite registry");
      SqliteFiles.createMissingFolders(file, "the SQLite registry");
    } finally {
      logger.removeAppender(appender);
      logger.setLevel(level);
      appender.stop();
    }

    assertThat(folder.resolve("state/nested")).isDirectory();
    assertThat(logged)
        .containsExactly(
            "INFO Created the missing folder "
                + folder.resolve("state/nested")
                + " for the SQLite registry "
                + file);
    try (Connection connection = SqliteFiles.open(file.toString(), 100)) {
      assertThat(connection.isValid(1)).isTrue();
    }
  }

  @Test
  void aFolderThatCannotBeCreatedFailsNamingWhatIsInTheWay() throws Exception {
    Path notAFolder = Files.writeString(folder.resolve("not-a-folder"), "x");

    assertThatThrownBy(
            () -> SqliteFiles.createMissingFolders(notAFolder.resolve("a.db"), "the store"))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class)
        .hasMessage(notAFolder.toString());
  }

  @Test
  void aFileInAMissingFolderCannotBeOpened() {
    Path path = folder.resolve("missing/e.db");

    assertThatThrownBy(() -> SqliteFiles.open(path.toString(), 100).close())
        .satisfies(e -> assertThat(SqliteFiles.isCantOpen(e)).isTrue())
        .satisfies(e -> assertThat(SqliteFiles.isUnusable(e)).isTrue())
        .satisfies(e -> assertThat(SqliteFiles.isBusy(e)).isFalse());
    assertThat(SqliteFiles.isCantOpen(new SQLException("wrapped", null, 14))).isTrue();
    assertThat(SqliteFiles.isCantOpen(new SQLException("busy", null, 5))).isFalse();
  }
}
