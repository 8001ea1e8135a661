package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.common.json.Json;
import io.sluice.engine.SparkTestBase;
import io.sluice.registry.TimeInterval;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice backfill} with real children: each window is a {@code sluice materialize} in a JVM
 * of its own (local-mode Spark), started through a launcher script as {@code bin/sluice} would.
 */
class BackfillCommandTest extends SparkTestBase {
  @TempDir Path dir;
  private DriverStatsRepo repo;
  private Path launcher;

  @BeforeEach
  void createRepoAndLauncher() throws Exception {
    repo = DriverStatsRepo.create(spark(), dir, DriverStatsRepo.sqliteStore());
    repo.apply();
    List<String> java = ChildJvm.command("768m", SluiceMain.class.getName());
    launcher = dir.resolve("launcher.sh");
    StringBuilder script = new StringBuilder("#!/usr/bin/env bash\n");
    script.append("echo \"$*\" >> ").append(quote(dir.resolve("launched"))).append('\n');
    script.append("exec");
    for (String part : java) {
      script.append(' ').append(quote(part));
    }
    script.append(" \"$@\"\n");
    Files.writeString(launcher, script);
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
  }

  private static String quote(Object text) {
    return "'" + text.toString().replace("'", "'\\''") + "'";
  }

  private CommandResult backfill(String... extra) {
    return backfill("driver_hourly_stats", launcher, extra);
  }

  private CommandResult backfill(String view, Path launcher, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "backfill",
                "--config",
                repo.config().toString(),
                "--feature-view",
                view,
                "--launcher",
                launcher.toString(),
                "--log-dir",
                dir.resolve("logs").toString()));
    args.addAll(List.of(extra));
    return CommandResult.run(args.toArray(String[]::new));
  }

  private List<String> launched() throws Exception {
    Path file = dir.resolve("launched");
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  @Test
  void windowsRunAsTheirOwnApplicationsAndARerunSkipsThemAll() throws Exception {
    CommandResult result =
        backfill(
            "--start",
            "2024-05-01T00:00:00Z",
            "--end",
            "2024-05-03T00:00:00Z",
            "--step",
            "1d",
            "--parallel",
            "2");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode report = Json.MAPPER.readTree(result.lastLine());
    assertThat(report.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(report.get("windows_by_status").get("succeeded").asInt()).isEqualTo(2);
    assertThat(report.get("windows")).hasSize(2);
    for (JsonNode window : report.get("windows")) {
      assertThat(window.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(window.get("entities").asLong()).isEqualTo(200);
      assertThat(Path.of(window.get("log").asText())).exists();
    }
    assertThat(result.out()).contains("window").contains("attempts");
    assertThat(launched()).hasSize(2).allMatch(line -> line.startsWith("materialize --config"));
    try (var registry = RepoLoader.openRegistry(RepoLoader.loadConfig(repo.config()))) {
      assertThat(registry.intervals("demo_test", "driver_hourly_stats"))
          .containsExactly(new TimeInterval(DriverStatsRepo.DAY1, DriverStatsRepo.DAY3));
      assertThat(registry.recentRuns("demo_test", 10))
          .hasSize(2)
          .allMatch(run -> run.status().name().equals("SUCCEEDED"));
    }
    // Whichever window finished last, the store holds the latest row of the whole range.
    Map<Long, Row> latest = repo.expectedLatest(DriverStatsRepo.DAY1, DriverStatsRepo.DAY3);
    for (long driver : List.of(1L, 100L, 200L)) {
      Instant event = (Instant) latest.get(driver).get(1);
      assertThat(((Number) repo.stored(driver).get("event_ts")).longValue())
          .as("driver %d", driver)
          .isEqualTo(event.getEpochSecond());
    }

    CommandResult rerun =
        backfill(
            "--start", "2024-05-01T00:00:00Z", "--end", "2024-05-03T00:00:00Z", "--step", "1d");

    assertThat(rerun.exitCode()).as(rerun.err()).isZero();
    assertThat(
            Json.MAPPER.readTree(rerun.lastLine()).get("windows_by_status").get("skipped").asInt())
        .isEqualTo(2);
    assertThat(launched()).hasSize(2);
  }

  @Test
  void anUnknownViewOrBadOptionFailsWithExit2BeforeAnyWindowStarts() throws Exception {
    CommandResult unknown =
        backfill("driver_stats_hourly", launcher, "--start", "2024-05-01", "--end", "2024-05-02");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.lastLine()).contains("Cannot find feature view 'driver_stats_hourly'");

    CommandResult badStep =
        backfill("--start", "2024-05-01", "--end", "2024-05-02", "--step", "1w");
    assertThat(badStep.exitCode()).isEqualTo(2);
    assertThat(badStep.lastLine()).contains("Invalid --step '1w'");

    CommandResult noLauncher =
        backfill(
            "driver_hourly_stats",
            dir.resolve("missing"),
            "--start",
            "2024-05-01",
            "--end",
            "2024-05-02");
    assertThat(noLauncher.exitCode()).isEqualTo(2);
    assertThat(noLauncher.lastLine()).contains("not an executable file");
    assertThat(launched()).isEmpty();
  }
}
