package io.sluice.online.sqlite;

import static io.sluice.online.TestViews.driverRows;
import static io.sluice.online.TestViews.driverStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.online.OnlineStoreUnavailableException;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer that timed out waiting for the file's write lock recovers with whole transactions. */
class SqliteLockTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  @TempDir Path dir;

  @Test
  void aBatchThatTimedOutOnTheLockLeavesTheWriterUsable() throws Exception {
    SqliteOnlineStoreConfig store =
        new SqliteOnlineStoreConfig(dir.resolve("online.db").toString());
    WriteOptions shortBudget = WriteOptions.defaults().withRetryBudget(Duration.ofMillis(400));
    try (SqliteOnlineWriter writer =
            new SqliteOnlineWriter(store, driverStats(), shortBudget, 100);
        Connection blocker = DriverManager.getConnection("jdbc:sqlite:" + store.path());
        Statement lock = blocker.createStatement()) {
      lock.execute("BEGIN IMMEDIATE");
      assertThatThrownBy(() -> writer.write(driverRows(1, 10, T0, 1)))
          .isInstanceOf(OnlineStoreUnavailableException.class)
          .hasMessageStartingWith(
              "Cannot write 10 rows of driver_hourly_stats in SQLite online store "
                  + store.path()
                  + ": Cannot write 10 rows of driver_hourly_stats:"
                  + " org.sqlite.SQLiteException: [SQLITE_BUSY]")
          .hasMessageContaining("SQLITE_BUSY")
          .hasMessageContaining("10 rows of this batch not written")
          .hasMessageEndingWith(
              "; 10 rows of this batch not written, 0 rows acknowledged before stay written");
      lock.execute("COMMIT");

      assertThat(writer.write(driverRows(1, 10, T0, 1))).isEqualTo(new WriteStats(10, 0));
      assertThat(writer.write(driverRows(11, 5, T0, 1))).isEqualTo(new WriteStats(5, 0));
      // Nothing was left half-done by the failed attempt, and no transaction is left open:
      // another connection can take the write lock at once.
      lock.execute("BEGIN IMMEDIATE");
      try (ResultSet rows =
          lock.executeQuery("SELECT count(DISTINCT entity_key) FROM test_driver_hourly_stats")) {
        assertThat(rows.getLong(1)).isEqualTo(15);
      }
      lock.execute("COMMIT");
    }
  }
}
