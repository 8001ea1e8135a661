package io.sluice.engine.cli;

import static io.sluice.engine.cli.DriverStatsRepo.DAY1;
import static io.sluice.engine.cli.DriverStatsRepo.DAY2;
import static io.sluice.engine.cli.DriverStatsRepo.DAY3;
import static org.assertj.core.api.Assertions.assertThat;

import feast.proto.types.ValueProto.Value;
import io.sluice.engine.SparkTestBase;
import io.sluice.engine.run.ExitCodes;
import io.sluice.engine.run.RunReport;
import io.sluice.registry.MaterializationRun;
import io.sluice.registry.RunStatus;
import io.sluice.registry.SqlRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands end to end on the embedded default: SQLite registry and SQLite online store. */
class MaterializeCommandTest extends SparkTestBase {
  @TempDir Path dir;
  private DriverStatsRepo repo;

  @BeforeEach
  void createRepo() {
    repo = DriverStatsRepo.create(spark(), dir, DriverStatsRepo.sqliteStore());
    repo.apply();
  }

  private CommandResult materialize(String start, String end, String... extra) {
    return repo.materialize(start, end, extra);
  }

  private CommandResult incremental(String end) {
    return CommandResult.run(
        "materialize-incremental",
        "--config",
        repo.config().toString(),
        "--feature-view",
        "driver_hourly_stats",
        "--end",
        end);
  }

  private String intervals() {
    return CommandResult.run(
            "intervals",
            "--config",
            repo.config().toString(),
            "--feature-view",
            "driver_hourly_stats")
        .lastLine();
  }

  @Test
  void rowsWrittenAreEachTasksOutputRecordsInSparksMetrics() throws Exception {
    List<Long> outputRecords = new CopyOnWriteArrayList<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
            if (taskEnd.taskMetrics() != null) {
              outputRecords.add(taskEnd.taskMetrics().outputMetrics().recordsWritten());
            }
          }
        };
    spark().sparkContext().addSparkListener(listener);
    try {
      CommandResult result = materialize("2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z");
      assertThat(result.exitCode()).as(result.err()).isZero();
      // Listener events arrive asynchronously: wait until the bus has delivered them all.
      spark().sparkContext().listenerBus().waitUntilEmpty();

      assertThat(result.report().rowsWritten()).isEqualTo(200);
      assertThat(outputRecords.stream().mapToLong(Long::longValue).sum()).isEqualTo(200);
      // A store that needed no retries reports none.
      assertThat(result.lastLine()).contains("\"store_retries\":0,\"store_throttled\":0,");
    } finally {
      spark().sparkContext().removeSparkListener(listener);
    }
  }

  @Test
  void materializeWritesTheLatestRowOfEveryDriverAndRecordsTheInterval() throws Exception {
    CommandResult result = materialize("2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z");
    assertThat(result.exitCode()).as(result.err()).isZero();
    RunReport report = result.report();
    Map<Long, Row> expected = repo.expectedLatest(DAY1, DAY2);
    assertThat(report.status()).isEqualTo(RunReport.SUCCEEDED);
    assertThat(report.entities()).isEqualTo(200);
    assertThat(report.rowsWritten()).isEqualTo(200);
    assertThat(report.rowsSkippedNotNewer()).isZero();
    // Read: the window's rows, the row with a null key, and the row with no event time (it could
    // belong to any window, so every run reads and drops it).
    assertThat(report.rowsRead()).isEqualTo(200 * 8 + 2);
    assertThat(report.rowsDropped())
        .containsEntry("null_join_key", 1L)
        .containsEntry("null_event_timestamp", 1L);
    assertThat(report.seconds())
        .containsKeys("startup", "plan", "read_reduce", "write", "record", "total");
    assertThat(report.runId()).isNotBlank();

    for (long driver : new long[] {1, 57, 200}) {
      Row want = expected.get(driver);
      Map<String, Object> got = repo.stored(driver);
      assertThat(((Value) got.get("conv_rate")).getFloatVal()).isEqualTo(want.getFloat(3));
      assertThat(((Value) got.get("acc_rate")).getDoubleVal()).isEqualTo(want.getDouble(4));
      assertThat(((Value) got.get("avg_daily_trips")).getInt64Val()).isEqualTo(want.getLong(5));
      assertThat(got.get("event_ts")).isInstanceOfAny(Integer.class, Long.class);
      assertThat(((Number) got.get("event_ts")).longValue())
          .isEqualTo(((java.time.Instant) want.get(1)).getEpochSecond());
    }
    assertThat(intervals())
        .contains("{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-02T00:00:00Z\"}");
  }

  @Test
  void reportFileHoldsTheSameJsonAsTheLastLine() throws Exception {
    Path reportFile = dir.resolve("reports/run.json");
    CommandResult result =
        materialize("2024-05-01", "2024-05-02", "--report", reportFile.toString());
    assertThat(result.exitCode()).isZero();
    assertThat(Files.readString(reportFile).strip()).isEqualTo(result.lastLine());
  }

  @Test
  void rerunningAWindowWritesNothingNewAndReportsTheSkips() {
    assertThat(materialize("2024-05-01", "2024-05-02").exitCode()).isZero();
    RunReport again = materialize("2024-05-01", "2024-05-02").report();
    assertThat(again.status()).isEqualTo(RunReport.SUCCEEDED);
    assertThat(again.rowsWritten()).isZero();
    assertThat(again.rowsSkippedNotNewer()).isEqualTo(200);
    RunReport forced = materialize("2024-05-01", "2024-05-02", "--force").report();
    assertThat(forced.rowsWritten()).isEqualTo(200);
    assertThat(forced.mode()).isEqualTo("force");
  }

  @Test
  void incrementalContinuesFromTheRecordedEnd() throws Exception {
    assertThat(materialize("2024-05-01", "2024-05-02").exitCode()).isZero();
    CommandResult incremental = incremental("2024-05-03T00:00:00Z");
    assertThat(incremental.exitCode()).as(incremental.err()).isZero();
    RunReport report = incremental.report();
    assertThat(report.start()).isEqualTo(DAY2);
    assertThat(report.end()).isEqualTo(DAY3);
    assertThat(report.rowsWritten()).isEqualTo(200);
    assertThat(((Value) repo.stored(3).get("avg_daily_trips")).getInt64Val())
        .isEqualTo(repo.expectedLatest(DAY2, DAY3).get(3L).getLong(5));
    assertThat(intervals())
        .contains("{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-03T00:00:00Z\"}");

    RunReport upToDate = incremental("2024-05-03T00:00:00Z").report();
    assertThat(upToDate.status()).isEqualTo(RunReport.UP_TO_DATE);
  }

  @Test
  void emptyWindowSucceedsWithZeroRowsAndRecordsTheInterval() {
    CommandResult result = materialize("2030-01-01", "2030-01-02");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.report().rowsRead()).isEqualTo(1); // the row with no event time
    assertThat(result.report().entities()).isZero();
    assertThat(result.report().rowsWritten()).isZero();
    assertThat(intervals()).contains("2030-01-01T00:00:00Z");
  }

  @Test
  void missingFoldersOfTheSqliteRegistryAndOnlineStoreAreBothCreated() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("nested.yaml"),
            "project: demo_test\n"
                + "registry:\n  registry_type: sql\n  path: sqlite:///"
                + dir.resolve("state/registry/r.db").toAbsolutePath()
                + "\n"
                + "online_store:\n  type: sqlite\n  path: store/online/o.db\n");
    assertThat(dir.resolve("state")).doesNotExist();
    DriverStatsRepo.apply(config, dir.resolve("definitions.yaml"));
    assertThat(dir.resolve("state/registry/r.db")).isRegularFile();

    assertThat(dir.resolve("store")).doesNotExist();
    CommandResult result =
        CommandResult.run(
            "materialize",
            "--config",
            config.toString(),
            "--feature-view",
            "driver_hourly_stats",
            "--start",
            "2024-05-01",
            "--end",
            "2024-05-02");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.report().rowsWritten()).isEqualTo(200);
    assertThat(dir.resolve("store/online/o.db")).isRegularFile();
  }

  @Test
  void badArgumentsAreUsageErrorsAndWriteNothing() throws Exception {
    assertFailure(
        CommandResult.run(
            "materialize",
            "--config",
            dir.resolve("missing.yaml").toString(),
            "--feature-view",
            "x",
            "--start",
            "2024-05-01",
            "--end",
            "2024-05-02"),
        ExitCodes.USAGE,
        "Cannot read config " + dir.resolve("missing.yaml") + ": no such file");
    assertFailure(
        CommandResult.run(
            "materialize",
            "--config",
            repo.config().toString(),
            "--feature-view",
            "nope",
            "--start",
            "2024-05-01",
            "--end",
            "2024-05-02"),
        ExitCodes.USAGE,
        "driver_hourly_stats");
    assertFailure(
        materialize("2024-05-02", "2024-05-01"),
        ExitCodes.USAGE,
        "Invalid window: --start 2024-05-02T00:00:00Z must be before --end 2024-05-01T00:00:00Z");
    assertFailure(
        materialize("yesterday", "2024-05-01"),
        ExitCodes.USAGE,
        "Invalid --start 'yesterday': expected an ISO-8601 time");
    Path misspelt = dir.resolve("misspelt.yaml");
    Files.writeString(
        misspelt, Files.readString(repo.config()) + "batch_engine:\n  partitons: 2\n");
    assertFailure(
        CommandResult.run(
            "materialize",
            "--config",
            misspelt.toString(),
            "--feature-view",
            "driver_hourly_stats",
            "--start",
            "2024-05-01",
            "--end",
            "2024-05-02"),
        ExitCodes.USAGE,
        "Invalid batch_engine in "
            + misspelt.toAbsolutePath()
            + ": unknown key 'partitons' (did you mean 'partitions'?)");
    CommandResult missingOption =
        CommandResult.run("materialize", "--config", repo.config().toString());
    assertThat(missingOption.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(missingOption.err()).contains("Missing required options");
    assertNothingWritten();
  }

  @Test
  void sourcePathThatDoesNotExistIsAUsageErrorAndTheRunIsMarkedFailed() throws Exception {
    DriverStatsRepo.write(
        dir.resolve("definitions.yaml"),
        DriverStatsRepo.DEFINITIONS.replace("data/driver_stats.parquet", "data/nowhere.parquet"));
    assertThat(
            CommandResult.run(
                    "apply",
                    "--config",
                    repo.config().toString(),
                    "--definitions",
                    dir.resolve("definitions.yaml").toString())
                .exitCode())
        .isZero();
    CommandResult result = materialize("2024-05-01", "2024-05-02");
    assertFailure(result, ExitCodes.USAGE, "does not exist");
    assertNothingWritten();
    try (SqlRegistry registry =
        SqlRegistry.open(io.sluice.engine.config.RepoConfig.load(repo.config()).registry())) {
      MaterializationRun run = registry.run(result.report().runId()).orElseThrow();
      assertThat(run.status()).isEqualTo(RunStatus.FAILED);
      assertThat(run.error()).contains("data/nowhere.parquet does not exist");
    }
  }

  @Test
  void sourceMissingAColumnOrOfTheWrongTypeIsADataErrorNamingThem() throws Exception {
    spark()
        .read()
        .parquet(dir.resolve("data/driver_stats.parquet").toString())
        .drop("acc_rate")
        .withColumn("conv_rate", org.apache.spark.sql.functions.lit("fast"))
        .write()
        .parquet(dir.resolve("data/broken.parquet").toString());
    DriverStatsRepo.write(
        dir.resolve("definitions.yaml"),
        DriverStatsRepo.DEFINITIONS.replace("data/driver_stats.parquet", "data/broken.parquet"));
    CommandResult.run(
        "apply",
        "--config",
        repo.config().toString(),
        "--definitions",
        dir.resolve("definitions.yaml").toString());
    assertFailure(
        materialize("2024-05-01", "2024-05-02"),
        ExitCodes.DATA,
        "Cannot materialize feature view driver_hourly_stats from source driver_stats: feature"
            + " conv_rate is string, which cannot be written as FLOAT; no feature column"
            + " acc_rate");
    assertNothingWritten();
  }

  private static void assertFailure(CommandResult result, int exitCode, String message) {
    assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(exitCode);
    if (result.out().isBlank()) {
      return;
    }
    RunReport report = result.report();
    assertThat(report.status()).isEqualTo(RunReport.FAILED);
    assertThat(report.exitCode()).isEqualTo(exitCode);
    assertThat(report.error()).contains(message);
    assertThat(result.err()).contains("sluice: error: ");
  }

  private void assertNothingWritten() throws SQLException {
    assertThat(repo.stored(1)).isEmpty();
    assertThat(intervals()).contains("\"intervals\":[]");
  }

  /**
   * {@code feast apply} stores a FileSource path as written, often relative; Feast reads it against
   * the repo's folder (the folder of feature_store.yaml), whatever the working directory.
   */
  @Test
  void aRelativeFileSourcePathIsReadAgainstTheRepoFolderAsFeastDoes() throws Exception {
    StoredViews.rewrite(
        "jdbc:sqlite:" + dir.resolve("data/registry.db").toAbsolutePath(),
        "driver_hourly_stats",
        view ->
            view.getSpecBuilder()
                .getBatchSourceBuilder()
                .getFileOptionsBuilder()
                .setUri("data/driver_stats.parquet"));
    assertThat(Path.of("data/driver_stats.parquet").toAbsolutePath()).doesNotExist();
    CommandResult result = materialize("2024-05-01", "2024-05-02");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.report().rowsWritten())
        .isEqualTo(repo.expectedLatest(DAY1, DAY2).size())
        .isPositive();
  }
}
