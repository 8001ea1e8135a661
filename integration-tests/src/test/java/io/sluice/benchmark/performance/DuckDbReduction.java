package io.sluice.benchmark.performance;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.StringJoiner;

/**
 * The reduction's limit: DuckDB (in this JVM, in memory, a fresh database each time, so nothing is
 * cached between runs) reading the same Parquet files and keeping the latest row per entity in the
 * same window, with as many threads as Sluice's local mode has cores:
 *
 * <pre>
 * CREATE OR REPLACE TEMP TABLE latest AS
 * SELECT driver_id, arg_max(struct_pack(ts, f0, …), ts) FROM read_parquet('&lt;dir&gt;/*.parquet')
 * WHERE driver_id IS NOT NULL AND ts &gt;= start AND ts &lt; end GROUP BY driver_id
 * </pre>
 */
final class DuckDbReduction {
  private DuckDbReduction() {}

  static String version() {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT version()")) {
      result.next();
      return result.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot start DuckDB", e);
    }
  }

  static String query(DataSet data) {
    StringJoiner struct = new StringJoiner(", ", "struct_pack(ts, ", ")");
    for (int f = 0; f < data.features(); f++) {
      struct.add("f" + f);
    }
    return "CREATE OR REPLACE TEMP TABLE latest AS SELECT driver_id, arg_max("
        + struct
        + ", ts) AS latest FROM read_parquet('"
        + data.dir().toAbsolutePath()
        + "/*.parquet') WHERE driver_id IS NOT NULL AND ts >= '"
        + SluiceLauncher.START
        + "'::TIMESTAMPTZ AND ts < '"
        + SluiceLauncher.END
        + "'::TIMESTAMPTZ GROUP BY driver_id";
  }

  /** Seconds of the reduction alone (the database is open and configured before the clock). */
  static double seconds(DataSet data, int threads) {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("SET threads = " + threads);
      statement.execute("SET TimeZone = 'UTC'");
      long start = System.nanoTime();
      statement.execute(query(data));
      double seconds = (System.nanoTime() - start) / 1e9;
      try (ResultSet count = statement.executeQuery("SELECT count(*) FROM latest")) {
        count.next();
        if (count.getLong(1) != data.entities()) {
          throw new IllegalStateException(
              "DuckDB kept " + count.getLong(1) + " entities, expected " + data.entities());
        }
      }
      return seconds;
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB's reduction failed: " + query(data), e);
    }
  }
}
