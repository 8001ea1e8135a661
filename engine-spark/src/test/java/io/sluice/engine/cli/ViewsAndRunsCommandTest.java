package io.sluice.engine.cli;

import static io.sluice.engine.cli.DriverStatsRepo.DAY1;
import static io.sluice.engine.cli.DriverStatsRepo.DAY2;
import static io.sluice.engine.cli.DriverStatsRepo.DAY3;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.common.json.Json;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.ExitCodes;
import io.sluice.registry.RunStats;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice views} and {@code sluice runs} on a SQLite registry whose runs are recorded the way
 * a materialization records them (no Spark needed to list them).
 */
class ViewsAndRunsCommandTest {
  private static final String DEFINITIONS =
      DriverStatsRepo.DEFINITIONS
          + """
            - name: global_stats
              entities: []
              source: driver_stats
              online: false
              features:
                - {name: conv_rate, dtype: FLOAT}
          """;

  @TempDir Path dir;
  private Path config;
  private String firstRun;
  private String failedRun;

  @BeforeEach
  void applyAndRecordRuns() {
    config = DriverStatsRepo.writeRepoFiles(dir, DriverStatsRepo.sqliteStore(), DEFINITIONS);
    DriverStatsRepo.apply(config, dir.resolve("definitions.yaml"));
  }

  /** Two succeeded runs with a gap between their windows, then a failed one, all on one view. */
  private void recordRuns() {
    try (SqlRegistry registry = SqlRegistry.open(RepoConfig.load(config).registry())) {
      firstRun = registry.startRun("demo_test", "driver_hourly_stats", hours(0, 6), "local-1");
      registry.completeRun(firstRun, new RunStats(1200, 2, 200, 200, 0, 2, Map.of("total", 3.25)));
      String second = registry.startRun("demo_test", "driver_hourly_stats", hours(12, 24), null);
      registry.completeRun(second, new RunStats(2400, 0, 200, 150, 50, 2, Map.of("total", 1.0)));
      failedRun = registry.startRun("demo_test", "driver_hourly_stats", window(DAY2, DAY3), null);
      registry.failRun(
          failedRun,
          RunStats.NONE,
          "Cannot reach Redis at 127.0.0.1:1: " + "x".repeat(200) + "\nsecond line");
    }
  }

  private static TimeInterval hours(int start, int end) {
    return window(DAY1.plus(Duration.ofHours(start)), DAY1.plus(Duration.ofHours(end)));
  }

  private static TimeInterval window(java.time.Instant start, java.time.Instant end) {
    return new TimeInterval(start, end);
  }

  private CommandResult run(String command, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of(command, "--config", config.toString()));
    args.addAll(List.of(extra));
    return CommandResult.run(args.toArray(String[]::new));
  }

  /** The table's lines, each split into its cells (columns are two or more spaces apart). */
  private static List<List<String>> cells(String table) {
    return table.strip().lines().map(line -> Arrays.asList(line.split("\\s{2,}"))).toList();
  }

  @Test
  void viewsShowCoverageGapsFeastStateAndTheLastRun() throws Exception {
    CommandResult before = run("views");
    assertThat(before.exitCode()).as(before.err()).isZero();
    assertThat(cells(before.out()))
        .containsExactly(
            List.of(
                "VIEW", "ONLINE", "ENTITIES", "FEATURES", "COVERAGE", "GAPS", "STATE", "LAST RUN"),
            List.of(
                "driver_hourly_stats", "yes", "driver", "3", "-", "0", "STATE_UNSPECIFIED", "-"),
            List.of("global_stats", "no", "-", "1", "-", "0", "STATE_UNSPECIFIED", "-"));

    recordRuns();
    CommandResult table = run("views");
    assertThat(table.exitCode()).as(table.err()).isZero();
    List<List<String>> rows = cells(table.out());
    assertThat(rows).hasSize(3);
    assertThat(rows.get(1).subList(0, 7))
        .containsExactly(
            "driver_hourly_stats",
            "yes",
            "driver",
            "3",
            "[2024-05-01T00:00:00Z, 2024-05-02T00:00:00Z)",
            "1",
            "AVAILABLE_ONLINE");
    assertThat(rows.get(1).get(7)).matches("FAILED \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

    CommandResult json = run("views", "--json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    assertThat(json.out().strip().lines()).hasSize(1);
    JsonNode document = Json.MAPPER.readTree(json.lastLine());
    assertThat(document.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(document.get("project").asText()).isEqualTo("demo_test");
    JsonNode driver = document.get("feature_views").get(0);
    assertThat(driver.get("name").asText()).isEqualTo("driver_hourly_stats");
    assertThat(driver.get("join_keys").get(0).asText()).isEqualTo("driver_id");
    assertThat(driver.get("intervals").toString())
        .isEqualTo(
            "[{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-01T06:00:00Z\"},"
                + "{\"start\":\"2024-05-01T12:00:00Z\",\"end\":\"2024-05-02T00:00:00Z\"}]");
    assertThat(driver.get("coverage").toString())
        .isEqualTo("{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-02T00:00:00Z\"}");
    assertThat(driver.get("gaps").asInt()).isEqualTo(1);
    assertThat(driver.get("state").asText()).isEqualTo("AVAILABLE_ONLINE");
    assertThat(driver.get("last_run").get("run_id").asText()).isEqualTo(failedRun);
    assertThat(driver.get("last_run").get("status").asText()).isEqualTo("FAILED");
    JsonNode global = document.get("feature_views").get(1);
    assertThat(global.get("online").asBoolean()).isFalse();
    assertThat(global.get("entities")).isEmpty();
    assertThat(global.get("coverage").isNull()).isTrue();
    assertThat(global.get("last_run").isNull()).isTrue();
  }

  @Test
  void runsAreListedNewestFirstWithTheirCountsAndErrors() throws Exception {
    CommandResult none = run("runs");
    assertThat(none.exitCode()).as(none.err()).isZero();
    assertThat(none.out().strip()).isEqualTo("No runs recorded in project demo_test");

    recordRuns();
    CommandResult table = run("runs");
    assertThat(table.exitCode()).as(table.err()).isZero();
    List<List<String>> rows = cells(table.out());
    assertThat(rows.get(0))
        .containsExactly(
            "STARTED",
            "VIEW",
            "STATUS",
            "WINDOW",
            "READ",
            "WRITTEN",
            "SKIPPED",
            "SECONDS",
            "HOST",
            "APPLICATION",
            "ERROR");
    assertThat(rows).hasSize(4);
    assertThat(rows.get(1).subList(1, 4))
        .containsExactly(
            "driver_hourly_stats", "FAILED", "[2024-05-02T00:00:00Z, 2024-05-03T00:00:00Z)");
    assertThat(rows.get(1).get(10))
        .startsWith("Cannot reach Redis at 127.0.0.1:1: xxx")
        .endsWith("x…")
        .hasSize(100);
    assertThat(rows.get(2).subList(2, 7))
        .containsExactly(
            "SUCCEEDED", "[2024-05-01T12:00:00Z, 2024-05-02T00:00:00Z)", "2400", "150", "50");
    assertThat(rows.get(3).subList(2, 7))
        .containsExactly(
            "SUCCEEDED", "[2024-05-01T00:00:00Z, 2024-05-01T06:00:00Z)", "1200", "200", "0");
    // Seconds: from the run's start to its end as the run table records them.
    assertThat(rows.get(3).get(7)).matches("\\d+\\.\\d");
    assertThat(rows.get(3).get(9)).isEqualTo("local-1");

    CommandResult json = run("runs", "--json", "--limit", "2");
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode runs = Json.MAPPER.readTree(json.lastLine()).get("runs");
    assertThat(runs).hasSize(2);
    assertThat(runs.get(0).get("run_id").asText()).isEqualTo(failedRun);
    assertThat(runs.get(0).get("error").asText()).endsWith("\nsecond line");
    assertThat(runs.get(0).get("host").asText()).isNotBlank();

    CommandResult oneView =
        run("runs", "--json", "--feature-view", "driver_hourly_stats", "--limit", "5");
    assertThat(Json.MAPPER.readTree(oneView.lastLine()).get("runs")).hasSize(3);
    JsonNode oldest = Json.MAPPER.readTree(oneView.lastLine()).get("runs").get(2);
    assertThat(oldest.get("run_id").asText()).isEqualTo(firstRun);
    assertThat(oldest.get("spark_application_id").asText()).isEqualTo("local-1");
    assertThat(oldest.get("rows_read").asLong()).isEqualTo(1200);
    assertThat(oldest.get("seconds").get("total").asDouble()).isEqualTo(3.25);
    CommandResult otherView = run("runs", "--feature-view", "global_stats");
    assertThat(otherView.out().strip())
        .isEqualTo("No runs recorded of feature view global_stats in project demo_test");
  }

  @Test
  void badArgumentsAreUsageErrorsWithNothingOnStdout() {
    CommandResult unknownView = run("runs", "--feature-view", "driver_stats_hourly");
    assertThat(unknownView.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknownView.out()).isEmpty();
    assertThat(unknownView.err())
        .contains(
            "sluice: error: Cannot find feature view 'driver_stats_hourly' in project 'demo_test':"
                + " existing views are driver_hourly_stats, global_stats");

    CommandResult badLimit = run("runs", "--limit", "0");
    assertThat(badLimit.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(badLimit.err()).contains("sluice: error: Invalid --limit 0: must be >= 1");

    CommandResult missingConfig =
        CommandResult.run("views", "--config", dir.resolve("nope.yaml").toString());
    assertThat(missingConfig.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(missingConfig.out()).isEmpty();
    assertThat(missingConfig.err()).contains("Cannot read config " + dir.resolve("nope.yaml"));

    CommandResult missingConfigJson =
        CommandResult.run("runs", "--json", "--config", dir.resolve("nope.yaml").toString());
    assertThat(missingConfigJson.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(missingConfigJson.lastLine()).contains("\"status\":\"FAILED\"");
  }

  @Test
  void aViewWhoseSourceSluiceCannotReadIsListedWithTheReasonAndTheOthersStillAre()
      throws Exception {
    recordRuns();
    StoredViews.rewrite(
        RepoConfig.load(config).registry().jdbcUrl(),
        "driver_hourly_stats",
        view ->
            view.getSpecBuilder()
                .getBatchSourceBuilder()
                .setType(feast.proto.core.DataSourceProto.DataSource.SourceType.BATCH_BIGQUERY)
                .setBigqueryOptions(
                    feast.proto.core.DataSourceProto.DataSource.BigQueryOptions.newBuilder()
                        .setTable("project.dataset.driver_stats")));

    CommandResult table = run("views");
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out()).contains("global_stats");
    assertThat(cells(table.out()))
        .anySatisfy(
            row -> assertThat(row).startsWith("driver_hourly_stats").contains("UNREADABLE"));
    assertThat(table.out()).contains("UNREADABLE driver_hourly_stats: ").contains("BIGQUERY");
    JsonNode json = Json.MAPPER.readTree(run("views", "--json").lastLine());
    assertThat(json.get("feature_views").findValuesAsText("problem")).hasSize(1);
    // Its run history is still there.
    CommandResult runs = run("runs", "--json", "--feature-view", "driver_hourly_stats");
    assertThat(runs.exitCode()).as(runs.err()).isZero();
    assertThat(runs.lastLine()).contains(firstRun);
  }
}
