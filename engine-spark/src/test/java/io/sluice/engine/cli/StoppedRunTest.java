package io.sluice.engine.cli;

import static io.sluice.engine.cli.DriverStatsRepo.DAY1;
import static io.sluice.engine.cli.DriverStatsRepo.DAY2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.SparkTestBase;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.ExitCodes;
import io.sluice.engine.run.Materialization;
import io.sluice.engine.run.MaterializationFailedException;
import io.sluice.engine.run.RunReport;
import io.sluice.engine.run.RunStop;
import io.sluice.engine.run.RunStoppedException;
import io.sluice.online.WriteMode;
import io.sluice.registry.FeatureViewDefinition;
import io.sluice.registry.MaterializationRun;
import io.sluice.registry.RunStatus;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.nio.file.Path;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that a {@link RunStop} stops (what SIGTERM does through {@link StopOnSignal}), in this JVM:
 * the stop comes from another thread while the run's Spark jobs run, as a signal's does. The signal
 * itself, from another process, is tested in the integration tests ({@code SigtermTest}).
 */
class StoppedRunTest extends SparkTestBase {
  private static final String VIEW = "driver_hourly_stats";
  private static final RunStop.Signal TERM = new RunStop.Signal("SIGTERM", 15);

  @TempDir Path dir;
  private DriverStatsRepo repo;
  private RepoConfig config;

  @BeforeEach
  void createRepo() {
    repo = DriverStatsRepo.create(spark(), dir, DriverStatsRepo.sqliteStore());
    repo.apply();
    config = RepoConfig.load(repo.config());
  }

  @Test
  void aStopWhileTheRunsJobsRunMarksItFailedRecordsNoIntervalAndGivesTheSignalsExitCode() {
    RunStop stop = new RunStop();
    // The signal's thread, played by Spark's listener bus: the stop comes once a job has started.
    SparkListener signal =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart jobStart) {
            stop.request(TERM);
          }
        };
    spark().sparkContext().addSparkListener(signal);
    try (SqlRegistry registry = SqlRegistry.open(config.registry())) {
      FeatureViewDefinition view = Materialization.materializableView(config, registry, VIEW);
      Materialization materialization = new Materialization(spark(), config, registry, stop);
      assertThatThrownBy(
              () ->
                  materialization.materialize(
                      view, new TimeInterval(DAY1, DAY2), WriteMode.NEWER_ONLY))
          .isInstanceOfSatisfying(
              MaterializationFailedException.class,
              failed -> {
                RunReport report = failed.report();
                assertThat(report.status()).isEqualTo(RunReport.FAILED);
                assertThat(report.exitCode()).isEqualTo(ExitCodes.STOPPED_BY_SIGTERM);
                assertThat(report.error())
                    .isEqualTo(
                        "Stopped by SIGTERM before the run completed; no interval recorded (what"
                            + " it wrote to the online store stays; running the window again is"
                            + " safe)");
                assertThat(failed.getCause()).isInstanceOf(RunStoppedException.class);
                MaterializationRun run = registry.run(report.runId()).orElseThrow();
                assertThat(run.status()).isEqualTo(RunStatus.FAILED);
                assertThat(run.error()).isEqualTo(report.error());
              });
      assertThat(registry.intervals(config.project(), VIEW)).isEmpty();
    } finally {
      spark().sparkContext().removeSparkListener(signal);
    }

    // The same window again, with nothing stopping it, completes.
    CommandResult again = repo.materialize(DAY1.toString(), DAY2.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.report().rowsWritten() + again.report().rowsSkippedNotNewer()).isEqualTo(200);
  }

  @Test
  void aStopBeforeTheRunBeganWritesNoRunRow() {
    RunStop stop = new RunStop();
    assertThat(stop.request(TERM)).as("nothing to wait for").isFalse();
    try (SqlRegistry registry = SqlRegistry.open(config.registry())) {
      FeatureViewDefinition view = Materialization.materializableView(config, registry, VIEW);
      Materialization materialization = new Materialization(spark(), config, registry, stop);
      assertThatThrownBy(
              () ->
                  materialization.materialize(
                      view, new TimeInterval(DAY1, DAY2), WriteMode.NEWER_ONLY))
          .isInstanceOf(RunStoppedException.class)
          .hasMessage("Stopped by SIGTERM before the run started; nothing recorded");
      assertThat(registry.runs(config.project(), VIEW)).isEmpty();
    }
  }
}
