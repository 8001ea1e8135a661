package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.config.RepoConfig;
import io.sluice.registry.RunStats;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A materializing command given a view the registry does not have fails with the usage exit code
 * and the known views before any Spark session exists; an incremental run with nothing left to do
 * answers UP_TO_DATE before any Spark session exists too. Each command runs in a JVM of its own
 * ({@link SparkSessionProbe}), since this test JVM shares one Spark session between test classes.
 */
class BeforeSparkTest {
  @TempDir Path dir;
  private Path config;

  @BeforeEach
  void applyDefinitions() {
    config =
        DriverStatsRepo.writeRepoFiles(
            dir, DriverStatsRepo.sqliteStore(), DriverStatsRepo.DEFINITIONS);
    DriverStatsRepo.apply(config, dir.resolve("definitions.yaml"));
  }

  /** The probe's output, stdout then stderr, after it exited. */
  private String probe(String... command) throws Exception {
    // Spark's Java 17 flags, so that a regression that does start Spark shows as a session.
    List<String> line =
        new ArrayList<>(ChildJvm.command("512m", SparkSessionProbe.class.getName()));
    line.addAll(List.of(command));
    Path output = dir.resolve("probe.out");
    Process process =
        new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("probe finished").isTrue();
    return Files.readString(output, StandardCharsets.UTF_8);
  }

  @Test
  void materializeFailsOnAnUnknownViewWithoutStartingSpark() throws Exception {
    String output =
        probe(
            "materialize",
            "--config",
            config.toString(),
            "--feature-view",
            "driver_stats_hourly",
            "--start",
            "2024-05-01",
            "--end",
            "2024-05-02");

    assertThat(output)
        .contains(
            "Cannot find feature view 'driver_stats_hourly' in project 'demo_test': existing views"
                + " are driver_hourly_stats")
        .contains(SparkSessionProbe.PREFIX + "exit_code=2 spark_session=false");
  }

  @Test
  void materializeIncrementalFailsOnAnUnknownViewWithoutStartingSpark() throws Exception {
    String output =
        probe(
            "materialize-incremental",
            "--config",
            config.toString(),
            "--feature-view",
            "nope",
            "--end",
            "2024-05-02");

    assertThat(output)
        .contains("Cannot find feature view 'nope' in project 'demo_test'")
        .contains(SparkSessionProbe.PREFIX + "exit_code=2 spark_session=false");
  }

  @Test
  void anUpToDateIncrementalRunAnswersWithoutStartingSpark() throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(RepoConfig.load(config).registry())) {
      String run =
          registry.startRun(
              "demo_test",
              "driver_hourly_stats",
              new TimeInterval(DriverStatsRepo.DAY1, DriverStatsRepo.DAY2),
              null);
      registry.completeRun(run, new RunStats(1, 0, 1, 1, 0, 1, Map.of("total", 1.0)));
    }
    String output =
        probe(
            "materialize-incremental",
            "--config",
            config.toString(),
            "--feature-view",
            "driver_hourly_stats",
            "--end",
            DriverStatsRepo.DAY2.toString());

    assertThat(output)
        .contains("\"status\":\"UP_TO_DATE\"")
        .contains(SparkSessionProbe.PREFIX + "exit_code=0 spark_session=false");
  }
}
