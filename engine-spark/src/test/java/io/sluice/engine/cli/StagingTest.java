package io.sluice.engine.cli;

import static io.sluice.engine.cli.DriverStatsRepo.DAY1;
import static io.sluice.engine.cli.DriverStatsRepo.DAY2;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import feast.proto.types.ValueProto.Value;
import io.sluice.common.json.Json;
import io.sluice.engine.SparkTestBase;
import io.sluice.engine.run.ExitCodes;
import io.sluice.engine.run.RunReport;
import io.sluice.engine.staging.StagingReport;
import io.sluice.registry.MaterializationRun;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.RunPhase;
import io.sluice.registry.RunStatus;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging on the local file system ({@code file:} staging location, the embedded SQLite stores):
 * the stage's layout, manifest and marker, deletion after success or keeping it, resuming a failed
 * write from the stage without the source, and when a stage is not reused. S3A staging against a
 * real S3-compatible server is tested in the integration tests.
 */
class StagingTest extends SparkTestBase {
  private static final String START = "2024-05-01T00:00:00Z";
  private static final String END = "2024-05-02T00:00:00Z";
  private static final String VIEW = "driver_hourly_stats";

  @TempDir Path dir;

  private DriverStatsRepo repo(String extraYaml) {
    return repo(DriverStatsRepo.sqliteStore(), extraYaml);
  }

  private DriverStatsRepo repo(String storeYaml, String extraYaml) {
    DriverStatsRepo repo =
        DriverStatsRepo.create(
            spark(),
            dir,
            storeYaml
                + "batch_engine:\n  type: spark.engine\n  staging_location: "
                + staging().toUri()
                + "\n"
                + extraYaml);
    repo.apply();
    return repo;
  }

  private Path staging() {
    return dir.resolve("staging");
  }

  /** The folder of this window's stages. */
  private Path windowFolder() {
    return staging()
        .resolve("demo_test")
        .resolve(VIEW)
        .resolve("20240501T000000Z_20240502T000000Z");
  }

  private static CommandResult materialize(DriverStatsRepo repo, String... extra) {
    return repo.materialize(START, END, extra);
  }

  private static StagingReport staging(CommandResult result) throws IOException {
    return Json.MAPPER.treeToValue(
        Json.MAPPER.readTree(result.lastLine()).get("staging"), StagingReport.class);
  }

  private static MaterializationRun run(DriverStatsRepo repo, String runId) {
    try (SqlRegistry registry =
        SqlRegistry.open(RegistryConfig.sqlite(repo.dir.resolve("data/registry.db")))) {
      return registry.run(runId).orElseThrow();
    }
  }

  private static List<String> intervals(DriverStatsRepo repo) {
    try (SqlRegistry registry =
        SqlRegistry.open(RegistryConfig.sqlite(repo.dir.resolve("data/registry.db")))) {
      return registry.intervals("demo_test", VIEW).stream().map(Object::toString).toList();
    }
  }

  private static List<Path> list(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.sorted().toList();
    }
  }

  private void assertOnlineValuesAreTheLatest(DriverStatsRepo repo) throws Exception {
    Map<Long, Row> expected = repo.expectedLatest(DAY1, DAY2);
    for (long driver : new long[] {1, 57, 200}) {
      Row want = expected.get(driver);
      Map<String, Object> got = repo.stored(driver);
      assertThat(((Value) got.get("conv_rate")).getFloatVal()).isEqualTo(want.getFloat(3));
      assertThat(((Value) got.get("avg_daily_trips")).getInt64Val()).isEqualTo(want.getLong(5));
    }
  }

  @Test
  void aRunStagesTheReducedRowsWritesFromThemAndDeletesTheStageAfterSuccess() throws Exception {
    DriverStatsRepo repo = repo("");
    CommandResult result = materialize(repo);
    assertThat(result.exitCode()).as(result.err()).isZero();
    RunReport report = result.report();
    assertThat(report.rowsRead()).isEqualTo(200 * 8 + 2);
    assertThat(report.rowsWritten()).isEqualTo(200);
    assertThat(report.seconds()).containsKeys("read_reduce", "stage", "write");
    // 200 staged rows are one file; the write still has a writer per core.
    assertThat(report.partitions()).isEqualTo(spark().sparkContext().defaultParallelism());
    StagingReport staging = staging(result);
    // As the file names it (the folder did not exist yet, so no trailing slash).
    assertThat(staging.location()).isEqualTo(staging().toUri().toString().replaceAll("/$", ""));
    assertThat(staging.stage()).endsWith("20240501T000000Z_20240502T000000Z/" + report.runId());
    assertThat(staging.resumedFrom()).isNull();
    assertThat(staging.kept()).isFalse();
    assertThat(list(windowFolder())).isEmpty();

    MaterializationRun run = run(repo, report.runId());
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.phase()).isEqualTo(RunPhase.STAGED);
    assertThat(run.stage()).isEqualTo(staging.stage());
    assertOnlineValuesAreTheLatest(repo);
  }

  @Test
  void aKeptStageHoldsOneRowPerEntityEqualToTheLatestRowsWithItsManifestAndMarker()
      throws Exception {
    DriverStatsRepo repo = repo("sluice: {staging_keep: true}\n");
    CommandResult result = materialize(repo);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(staging(result).kept()).isTrue();
    Path stage = windowFolder().resolve(result.report().runId());
    assertThat(stage.resolve("_SLUICE_STAGED")).exists();

    JsonNode manifest = Json.MAPPER.readTree(stage.resolve("_sluice_manifest.json").toFile());
    assertThat(manifest.get("rows").asLong()).isEqualTo(200);
    assertThat(manifest.get("run_id").asText()).isEqualTo(result.report().runId());
    assertThat(manifest.get("project").asText()).isEqualTo("demo_test");
    assertThat(manifest.get("feature_view").asText()).isEqualTo(VIEW);
    assertThat(manifest.get("layout").toString())
        .contains("\"driver_id:INT64\"", "\"conv_rate:FLOAT\"", "\"avg_daily_trips:INT64\"");
    JsonNode source = manifest.get("source");
    assertThat(source.get("describable").asBoolean()).isTrue();
    long sourceFiles;
    try (Stream<Path> files = Files.list(repo.dir.resolve("data/driver_stats.parquet"))) {
      sourceFiles = files.filter(f -> f.toString().endsWith(".parquet")).count();
    }
    assertThat(source.get("file_count").asLong()).isEqualTo(sourceFiles);
    assertThat(manifest.get("files").size()).isPositive();

    // The staged rows are the latest row of every entity, one each.
    List<Row> staged = spark().read().parquet(stage.toString()).collectAsList();
    Map<Long, Row> expected = repo.expectedLatest(DAY1, DAY2);
    assertThat(staged).hasSize(expected.size());
    for (Row row : staged) {
      Row want = expected.get(row.getLong(row.fieldIndex("driver_id")));
      assertThat(row.getFloat(row.fieldIndex("conv_rate"))).isEqualTo(want.getFloat(3));
      assertThat(row.getLong(row.fieldIndex("avg_daily_trips"))).isEqualTo(want.getLong(5));
      assertThat((Instant) row.get(row.fieldIndex("__sluice_event_ts"))).isEqualTo(want.get(1));
    }
  }

  @Test
  void aFailedWriteResumesFromTheStageWithoutTheSourceAndRecordsTheIntervalOnce() throws Exception {
    // The online store's file is a folder: every write fails, after the stage is complete.
    DriverStatsRepo repo = repo("");
    Path online = repo.dir.resolve("data/online.db");
    Files.createDirectories(online.resolve("in-the-way"));
    CommandResult failed = materialize(repo);
    assertThat(failed.exitCode()).as(failed.out()).isNotZero();
    assertThat(intervals(repo)).isEmpty();
    String runId = failed.report().runId();
    MaterializationRun failedRun = run(repo, runId);
    assertThat(failedRun.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failedRun.phase()).isEqualTo(RunPhase.STAGED);
    assertThat(failedRun.stage()).endsWith("/" + runId);
    assertThat(windowFolder().resolve(runId).resolve("_SLUICE_STAGED")).exists();

    // The store comes back, and the source is gone: only the stage can give the rows.
    Files.delete(online.resolve("in-the-way"));
    Files.delete(online);
    Path source = repo.dir.resolve("data/driver_stats.parquet");
    Files.move(source, repo.dir.resolve("data/moved.parquet"));
    CommandResult resumed = materialize(repo);
    assertThat(resumed.exitCode()).as(resumed.out() + resumed.err()).isZero();
    RunReport report = resumed.report();
    StagingReport staging = staging(resumed);
    assertThat(staging.resumedFrom()).isEqualTo(failedRun.stage());
    assertThat(staging.resumedStageAgeSeconds()).isNotNegative();
    assertThat(staging.note()).contains("cannot be read now");
    assertThat(report.rowsRead()).isZero();
    assertThat(report.rowsWritten()).isEqualTo(200);
    assertThat(intervals(repo)).containsExactly(new TimeInterval(DAY1, DAY2).toString());
    assertThat(run(repo, report.runId()).phase()).isEqualTo(RunPhase.STAGED);
    assertThat(list(windowFolder())).isEmpty();
    assertOnlineValuesAreTheLatest(repo);
  }

  @Test
  void aStageWithoutItsMarkerIsNeverUsed() throws Exception {
    DriverStatsRepo repo = repo("sluice: {staging_keep: true}\n");
    CommandResult first = materialize(repo);
    assertThat(first.exitCode()).as(first.err()).isZero();
    Files.delete(windowFolder().resolve(first.report().runId()).resolve("_SLUICE_STAGED"));

    CommandResult second = materialize(repo, "--force");
    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(staging(second).resumedFrom()).isNull();
    assertThat(staging(second).notResumed()).isNull();
    assertThat(second.report().rowsRead()).isEqualTo(200 * 8 + 2);
  }

  @Test
  void aCompleteStageIsReusedWhileTheSourceIsUnchangedAndNotOnceItChanges() throws Exception {
    DriverStatsRepo repo = repo("sluice: {staging_keep: true}\n");
    CommandResult first = materialize(repo);
    assertThat(first.exitCode()).as(first.err()).isZero();
    String firstStage = staging(first).stage();

    CommandResult reused = materialize(repo, "--force");
    assertThat(reused.exitCode()).as(reused.err()).isZero();
    assertThat(staging(reused).resumedFrom()).isEqualTo(firstStage);
    assertThat(reused.report().rowsRead()).isZero();
    assertThat(reused.report().rowsWritten()).isEqualTo(200);

    CommandResult noResume = materialize(repo, "--force", "--no-resume");
    assertThat(staging(noResume).resumedFrom()).isNull();
    assertThat(staging(noResume).notResumed()).singleElement().asString().contains("--no-resume");
    assertThat(noResume.report().rowsRead()).isEqualTo(200 * 8 + 2);

    // A file added to the source: no stage made before it stands for it.
    spark()
        .createDataFrame(List.of(repo.rows.get(0)), DriverStatsRepo.SCHEMA)
        .write()
        .mode("append")
        .parquet(repo.dir.resolve("data/driver_stats.parquet").toString());
    CommandResult changed = materialize(repo, "--force");
    assertThat(changed.exitCode()).as(changed.err()).isZero();
    assertThat(staging(changed).resumedFrom()).isNull();
    assertThat(staging(changed).notResumed())
        .hasSize(2)
        .allSatisfy(why -> assertThat(why).contains("the source changed", "is new"));
    assertThat(changed.report().rowsRead()).isEqualTo(200 * 8 + 3);
  }

  @Test
  void aKeptStageOfASucceededRunNeverStandsForASourceThatIsGone() throws Exception {
    DriverStatsRepo repo = repo("sluice: {staging_keep: true}\n");
    assertThat(materialize(repo).exitCode()).isZero();
    Files.move(
        repo.dir.resolve("data/driver_stats.parquet"), repo.dir.resolve("data/moved.parquet"));
    CommandResult result = materialize(repo, "--force");
    assertThat(result.exitCode()).as(result.out()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.report().error()).contains("does not exist");
  }

  @Test
  void aStageIsNotReusedOnceTheSourceDefinitionChangesOrAFileOfItIsGone() throws Exception {
    DriverStatsRepo repo = repo("sluice: {staging_keep: true}\n");
    CommandResult first = materialize(repo);
    assertThat(first.exitCode()).as(first.err()).isZero();

    // The same files, read through another column for the event time.
    DriverStatsRepo.write(
        repo.dir.resolve("definitions.yaml"),
        DriverStatsRepo.DEFINITIONS.replace(
            "timestamp_field: event_timestamp", "timestamp_field: created"));
    repo.apply();
    CommandResult changed = materialize(repo, "--force");
    assertThat(changed.exitCode()).as(changed.err()).isZero();
    assertThat(staging(changed).resumedFrom()).isNull();
    assertThat(staging(changed).notResumed())
        .singleElement()
        .asString()
        .contains("the batch source's definition changed", "\"timestamp_field\":\"created\"");
    assertThat(changed.report().rowsRead()).isPositive();

    // The second stage (made under the new definition) loses a Parquet file.
    Path second = windowFolder().resolve(changed.report().runId());
    Path part;
    try (Stream<Path> files = Files.list(second)) {
      part = files.filter(f -> f.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Files.delete(part);
    CommandResult damaged = materialize(repo, "--force");
    assertThat(damaged.exitCode()).as(damaged.err()).isZero();
    assertThat(staging(damaged).resumedFrom()).isNull();
    assertThat(staging(damaged).notResumed())
        .anySatisfy(why -> assertThat(why).contains(part.getFileName().toString(), "is gone"));
  }

  @Test
  void aStageARunningRunUsesIsNeitherResumedNorDeleted() throws Exception {
    DriverStatsRepo repo = repo("");
    // A run of the same window that failed after staging leaves a complete stage.
    Path online = repo.dir.resolve("data/online.db");
    Files.createDirectories(online.resolve("in-the-way"));
    CommandResult failed = materialize(repo);
    assertThat(failed.exitCode()).isNotZero();
    String stage = run(repo, failed.report().runId()).stage();
    Files.delete(online.resolve("in-the-way"));
    Files.delete(online);
    // Another run is resuming from it right now.
    try (SqlRegistry registry =
        SqlRegistry.open(RegistryConfig.sqlite(repo.dir.resolve("data/registry.db")))) {
      String other = registry.startRun("demo_test", VIEW, new TimeInterval(DAY1, DAY2), null);
      registry.markStaged(other, stage);
    }
    CommandResult result = materialize(repo);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(staging(result).resumedFrom()).isNull();
    assertThat(staging(result).notResumed())
        .singleElement()
        .asString()
        .contains("in use by a run that is still RUNNING");
    assertThat(windowFolder().resolve(failed.report().runId()).resolve("_SLUICE_STAGED")).exists();
  }

  @Test
  void expiredStagesOfTheViewAreDeletedAndNothingOutsideItsFolder() throws Exception {
    DriverStatsRepo repo = repo("sluice: {staging_retention_hours: 24}\n");
    Path viewFolder = staging().resolve("demo_test").resolve(VIEW);
    Path abandoned = viewFolder.resolve("20240401T000000Z_20240402T000000Z").resolve("run-a");
    Path recent = viewFolder.resolve("20240402T000000Z_20240403T000000Z").resolve("run-b");
    Path otherView = staging().resolve("demo_test").resolve("other_view").resolve("w").resolve("r");
    FileTime old = FileTime.from(Instant.now().minus(3, ChronoUnit.DAYS));
    for (Path stage : List.of(abandoned, recent, otherView)) {
      Files.createDirectories(stage);
      Files.writeString(stage.resolve("part-0.parquet"), "half written");
      if (!stage.equals(recent)) {
        Files.setLastModifiedTime(stage.resolve("part-0.parquet"), old);
        Files.setLastModifiedTime(stage, old);
      }
    }
    CommandResult result = materialize(repo);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(staging(result).expiredDeleted()).isEqualTo(1);
    assertThat(abandoned).doesNotExist();
    assertThat(abandoned.getParent()).doesNotExist();
    assertThat(recent.resolve("part-0.parquet")).exists();
    assertThat(otherView.resolve("part-0.parquet")).exists();
  }

  @Test
  void aStagingLocationThatCannotBeUsedFailsBeforeAnyWrite() throws Exception {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "");
    for (String location : List.of("s3://bucket/prefix", file.toUri() + "/staging")) {
      Path sub = dir.resolve("repo-" + Math.abs(location.hashCode()));
      DriverStatsRepo repo =
          DriverStatsRepo.create(
              spark(),
              sub,
              DriverStatsRepo.sqliteStore()
                  + "batch_engine:\n  type: spark.engine\n  staging_location: "
                  + location
                  + "\n");
      repo.apply();
      CommandResult result = materialize(repo);
      assertThat(result.exitCode()).as(result.out()).isEqualTo(ExitCodes.USAGE);
      assertThat(result.report().error()).contains("staging", location.replace("file:", ""));
      assertThat(intervals(repo)).isEmpty();
      assertThat(repo.stored(1)).isEmpty();
    }
  }
}
