package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.registry.RegistrySchema.SluiceTable;
import io.sluice.registry.RegistrySchema.TableColumn;
import io.sluice.testing.MariaDbServer;
import io.sluice.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A registry the previous Sluice created (its run table as that version made it, holding a finished
 * run) opened by this version, then by a next one that declares a further run column and a further
 * table, several processes at once. PostgreSQL and MariaDB are servers of this test's own: it needs
 * a database without this version's run table, and it alters that table.
 */
class RegistrySchemaMigrationTest {
  private static final Instant T0 = Instant.parse("2024-06-01T00:00:00Z");
  private static final String PROJECT = "migrated";
  private static final String VIEW = "driver_hourly_stats";
  private static final String OLD_RUN = "00000000-0000-0000-0000-000000000001";
  private static final int PROCESSES = 4;

  private static PostgresServer postgres;
  private static MariaDbServer mariadb;

  @TempDir Path folder;

  @AfterAll
  static void stopServers() {
    if (postgres != null) {
      postgres.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
  }

  /** An empty registry on a server no other test uses. */
  private RegistryConfig emptyRegistry(TestDatabase database) {
    return switch (database) {
      case SQLITE -> RegistryConfig.sqlite(folder.resolve("registry.db"));
      case POSTGRESQL -> {
        postgres = PostgresServer.start();
        yield new RegistryConfig(
            RegistryDialect.POSTGRESQL, postgres.jdbcUrl(), postgres.user(), postgres.password());
      }
      case MARIADB -> {
        mariadb = MariaDbServer.start();
        yield new RegistryConfig(
            RegistryDialect.MYSQL, mariadb.jdbcUrl(), mariadb.user(), mariadb.password());
      }
    };
  }

  /**
   * The run table as the previous version created it, with rows_failed: that version writes it, so
   * this one keeps declaring it (and never writes it).
   */
  private static String previousRunsTable(RegistryDialect dialect) {
    String longText = dialect == RegistryDialect.MYSQL ? "MEDIUMTEXT" : "TEXT";
    return "CREATE TABLE IF NOT EXISTS sluice_materialization_runs ("
        + "run_id VARCHAR(36) NOT NULL, "
        + "project_id VARCHAR(255) NOT NULL, "
        + "feature_view_name VARCHAR(255) NOT NULL, "
        + "window_start VARCHAR(32) NOT NULL, "
        + "window_end VARCHAR(32) NOT NULL, "
        + "status VARCHAR(16) NOT NULL, "
        + "started_at VARCHAR(32) NOT NULL, "
        + "finished_at VARCHAR(32) NULL, "
        + "host VARCHAR(255) NULL, "
        + "spark_application_id VARCHAR(255) NULL, "
        + "rows_read BIGINT NOT NULL DEFAULT 0, "
        + "rows_dropped BIGINT NOT NULL DEFAULT 0, "
        + "entities BIGINT NOT NULL DEFAULT 0, "
        + "rows_written BIGINT NOT NULL DEFAULT 0, "
        + "rows_skipped_not_newer BIGINT NOT NULL DEFAULT 0, "
        + "rows_failed BIGINT NOT NULL DEFAULT 0, "
        + "partitions INTEGER NOT NULL DEFAULT 0, "
        + "stage_seconds "
        + longText
        + " NULL, "
        + "error "
        + longText
        + " NULL, "
        + "PRIMARY KEY (run_id))";
  }

  /** The registry as the previous version left it: Feast's tables, its run table, one run. */
  private static void createPreviousRegistry(Connection connection, RegistryDialect dialect)
      throws SQLException {
    RegistrySchema.ensure(connection, dialect, List.of());
    try (Statement statement = connection.createStatement()) {
      statement.execute(previousRunsTable(dialect));
      statement.executeUpdate(
          "INSERT INTO sluice_materialization_runs (run_id, project_id, feature_view_name,"
              + " window_start, window_end, status, started_at, finished_at, host,"
              + " spark_application_id, rows_read, rows_dropped, entities, rows_written,"
              + " rows_skipped_not_newer, rows_failed, partitions, stage_seconds, error) VALUES ('"
              + OLD_RUN
              + "', '"
              + PROJECT
              + "', '"
              + VIEW
              + "', '2024-06-01T00:00:00.000000000Z', '2024-06-01T01:00:00.000000000Z',"
              + " 'SUCCEEDED', '2024-06-02T00:00:00.000000000Z',"
              + " '2024-06-02T00:00:05.000000000Z', 'old-host', 'app-old', 100, 2, 40, 38, 2, 0,"
              + " 4, '{\"read\":1.5,\"write\":0.25}', NULL)");
    }
  }

  /** The next version's tables: a further run column of each kind and a further table. */
  private static List<SluiceTable> nextTables(RegistryDialect dialect) {
    SluiceTable runs =
        RegistrySchema.sluiceTables(dialect)
            .get(0)
            .withColumns(
                new TableColumn("lease_owner", "VARCHAR(64) NULL"),
                new TableColumn("attempt", "INTEGER NOT NULL DEFAULT 1"));
    SluiceTable staging =
        new SluiceTable(
            "sluice_staging",
            List.of(
                new TableColumn("run_id", "VARCHAR(36) NOT NULL"),
                new TableColumn("location", "VARCHAR(255) NULL")),
            "run_id");
    return List.of(runs, staging);
  }

  private static MaterializationRun expectedOldRun() {
    return new MaterializationRun(
        OLD_RUN,
        PROJECT,
        VIEW,
        new TimeInterval(T0, T0.plusSeconds(3600)),
        RunStatus.SUCCEEDED,
        Instant.parse("2024-06-02T00:00:00Z"),
        Instant.parse("2024-06-02T00:00:05Z"),
        "old-host",
        "app-old",
        new RunStats(100, 2, 40, 38, 2, 4, Map.of("read", 1.5, "write", 0.25)),
        null,
        null,
        null);
  }

  private static long longColumn(Connection connection, String column, String runId)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT " + column + " FROM sluice_materialization_runs WHERE run_id = ?")) {
      select.setString(1, runId);
      try (ResultSet rows = select.executeQuery()) {
        assertThat(rows.next()).as("run %s stored", runId).isTrue();
        long value = rows.getLong(1);
        return rows.wasNull() ? -1 : value;
      }
    }
  }

  /** Runs the next version's {@link RegistrySchema#ensure} from several connections at once. */
  private static List<String> ensureConcurrently(RegistryConfig config) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(PROCESSES);
    try {
      CountDownLatch connected = new CountDownLatch(PROCESSES);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<String>>> results = new ArrayList<>();
      for (int p = 0; p < PROCESSES; p++) {
        results.add(
            pool.submit(
                () -> {
                  try (RegistryConnection connection =
                      RegistryConnection.open(config, Duration.ZERO)) {
                    connected.countDown();
                    go.await();
                    return connection.autocommit(
                        "migrate",
                        c ->
                            RegistrySchema.ensure(
                                c, config.dialect(), nextTables(config.dialect())));
                  }
                }));
      }
      assertThat(connected.await(1, TimeUnit.MINUTES)).isTrue();
      go.countDown();
      List<String> changes = new ArrayList<>();
      for (Future<List<String>> result : results) {
        changes.addAll(result.get(2, TimeUnit.MINUTES));
      }
      return changes;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aNewRegistryKeepsTheColumnsThePreviousVersionWrites() throws Exception {
    RegistryConfig config = emptyRegistry(TestDatabase.SQLITE);
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ZERO)) {
      connection.autocommit("create", c -> RegistrySchema.ensure(c, config.dialect()));
      Set<String> columns =
          connection.autocommit(
              "columns", c -> RegistrySchema.columns(c, RegistrySchema.RUNS_TABLE));
      // Every column the previous version's INSERT and UPDATE name.
      assertThat(columns)
          .contains(
              "run_id",
              "rows_read",
              "rows_dropped",
              "entities",
              "rows_written",
              "rows_skipped_not_newer",
              "rows_failed",
              "partitions",
              "stage_seconds",
              "error");
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void aPreviousRegistryKeepsItsRunsAndTakesNewColumnsAndTablesOnce(TestDatabase database)
      throws Exception {
    RegistryConfig config = emptyRegistry(database);
    RegistryDialect dialect = config.dialect();
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ZERO)) {
      connection.autocommit(
          "create the previous registry",
          c -> {
            createPreviousRegistry(c, dialect);
            return null;
          });
      // This version adds staging's two columns to the previous table, and keeps rows_failed.
      assertThat(
              connection.<List<String>>autocommit(
                  "migrate", c -> RegistrySchema.ensure(c, dialect)))
          .containsExactlyInAnyOrder(
              "added column phase to sluice_materialization_runs",
              "added column stage to sluice_materialization_runs");
    }

    String newRun;
    try (SqlRegistry registry = SqlRegistry.open(config)) {
      registry.ensureSchema();
      registry.apply(
          PROJECT,
          Files.writeString(
              folder.resolve("definitions.yaml"), DefinitionsFileTest.DRIVER_DEFINITIONS));
      assertThat(registry.run(OLD_RUN)).contains(expectedOldRun());
      newRun = registry.startRun(PROJECT, VIEW, new TimeInterval(T0, T0.plusSeconds(7200)), null);
      assertThat(registry.run(newRun).orElseThrow().phase()).isNull();
      registry.markStaged(newRun, "s3a://b/stages/p/v/w/" + newRun);
      assertThat(registry.run(newRun).orElseThrow().phase()).isEqualTo(RunPhase.STAGED);
      assertThat(registry.run(newRun).orElseThrow().stage()).endsWith("/w/" + newRun);
      registry.completeRun(newRun, RunStats.NONE);
      // Only a running run is marked staged.
      String finished = newRun;
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> registry.markStaged(finished, "s3a://b/other"))
          .isInstanceOf(RegistryConfigurationException.class);
      assertThat(registry.run(newRun).orElseThrow().status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(registry.runs(PROJECT, VIEW)).hasSize(2);
    }

    List<String> changes = ensureConcurrently(config);

    assertThat(changes)
        .containsOnlyOnce(
            "added column lease_owner to sluice_materialization_runs",
            "added column attempt to sluice_materialization_runs")
        .contains("created table sluice_staging");
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ZERO)) {
      assertThat(
              connection.<Set<String>>autocommit(
                  "columns", c -> RegistrySchema.columns(c, RegistrySchema.RUNS_TABLE)))
          .contains("phase", "stage", "lease_owner", "attempt", "rows_failed");
      assertThat(
              connection.<Boolean>autocommit(
                  "exists", c -> RegistrySchema.exists(c, "sluice_staging")))
          .isTrue();
      assertThat(
              connection.<Long>autocommit(
                  "lease_owner", c -> longColumn(c, "lease_owner", OLD_RUN)))
          .isEqualTo(-1);
      assertThat(connection.<Long>autocommit("attempt", c -> longColumn(c, "attempt", OLD_RUN)))
          .isEqualTo(1);
      assertThat(
              connection.<Long>autocommit("rows_failed", c -> longColumn(c, "rows_failed", newRun)))
          .isZero();
      assertThat(
              connection.<List<String>>autocommit(
                  "migrate again", c -> RegistrySchema.ensure(c, dialect, nextTables(dialect))))
          .isEmpty();
    }
    try (SqlRegistry registry = SqlRegistry.open(config)) {
      registry.ensureSchema();
      assertThat(registry.run(OLD_RUN)).contains(expectedOldRun());
      String afterMigration =
          registry.startRun(PROJECT, VIEW, new TimeInterval(T0, T0.plusSeconds(10800)), null);
      registry.completeRun(afterMigration, RunStats.NONE);
      assertThat(registry.intervals(PROJECT, VIEW))
          .containsExactly(new TimeInterval(T0, T0.plusSeconds(10800)));
    }
  }

  @Test
  void aColumnTheExistingRowsCannotTakeIsRefused() {
    RegistryConfig config = RegistryConfig.sqlite(folder.resolve("registry.db"));
    SluiceTable before =
        new SluiceTable("t", List.of(new TableColumn("id", "INTEGER NOT NULL")), "id");
    SluiceTable after = before.withColumns(new TableColumn("must", "INTEGER NOT NULL"));
    try (RegistryConnection connection = RegistryConnection.open(config, Duration.ZERO)) {
      assertThat(
              connection.<List<String>>autocommit(
                  "create", c -> RegistrySchema.ensure(c, config.dialect(), List.of(before))))
          .contains("created table t");

      assertThatThrownBy(
              () ->
                  connection.autocommit(
                      "migrate", c -> RegistrySchema.ensure(c, config.dialect(), List.of(after))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Cannot add column must to t: the rows already there need it nullable or with a"
                  + " default, not INTEGER NOT NULL");
      assertThat(connection.<Set<String>>autocommit("columns", c -> RegistrySchema.columns(c, "t")))
          .isEqualTo(Collections.singleton("id"));
    }
  }
}
