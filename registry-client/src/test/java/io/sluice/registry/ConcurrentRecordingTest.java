package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many materialization jobs finishing at the same moment: 32 separate JVMs, each recording 10
 * disjoint intervals on one view and 10 overlapping intervals on another, all released at once.
 * Feast keeps about a quarter of such intervals; Sluice must keep every one.
 */
class ConcurrentRecordingTest {
  private static final int PROCESSES = 32;
  private static final int INTERVALS = 10;

  @TempDir Path folder;

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void concurrentRecordersLoseNoInterval(TestDatabase database) throws Exception {
    String project = "c_" + UUID.randomUUID().toString().replace("-", "");
    RegistryConfig config = database.config(folder);
    try (SqlRegistry registry = SqlRegistry.open(config)) {
      registry.apply(
          project,
          Files.writeString(
              folder.resolve("definitions.yaml"), DefinitionsFileTest.DRIVER_DEFINITIONS));
    }
    Path ready = Files.createDirectory(folder.resolve("ready"));
    Path start = folder.resolve("start");

    List<Process> processes = new ArrayList<>();
    try {
      for (int p = 0; p < PROCESSES; p++) {
        processes.add(launch(config, project, p, ready, start));
      }
      awaitReady(processes, ready);
      Files.createFile(start);
      for (int p = 0; p < PROCESSES; p++) {
        Process process = processes.get(p);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("recorder %s finished", p).isTrue();
        assertThat(process.exitValue())
            .as("recorder %s exit code; its output:%n%s", p, output(p))
            .isZero();
      }
    } finally {
      processes.forEach(Process::destroyForcibly);
    }

    List<TimeInterval> disjoint = new ArrayList<>();
    List<TimeInterval> overlapping = new ArrayList<>();
    for (int p = 0; p < PROCESSES; p++) {
      for (int i = 0; i < INTERVALS; i++) {
        disjoint.add(RecorderProcess.disjoint(p, i, PROCESSES));
        overlapping.add(RecorderProcess.overlapping(p, i, PROCESSES));
      }
    }
    try (SqlRegistry registry = SqlRegistry.open(config)) {
      List<TimeInterval> recordedDisjoint =
          registry.intervals(project, RecorderProcess.DISJOINT_VIEW);
      assertThat(recordedDisjoint)
          .hasSize(PROCESSES * INTERVALS)
          .isEqualTo(TimeIntervals.merge(disjoint));
      List<TimeInterval> recordedOverlapping =
          registry.intervals(project, RecorderProcess.OVERLAPPING_VIEW);
      assertThat(recordedOverlapping).hasSize(1).isEqualTo(TimeIntervals.merge(overlapping));
      for (String view : List.of(RecorderProcess.DISJOINT_VIEW, RecorderProcess.OVERLAPPING_VIEW)) {
        List<MaterializationRun> runs = registry.runs(project, view);
        assertThat(runs).hasSize(PROCESSES * INTERVALS);
        assertThat(runs).allSatisfy(run -> assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED));
      }
    }
  }

  private Process launch(RegistryConfig config, String project, int index, Path ready, Path start)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-Xmx64m",
            "-Xss512k",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xshare:auto",
            "-cp",
            System.getProperty("java.class.path"),
            RecorderProcess.class.getName(),
            config.jdbcUrl(),
            config.dialect().name(),
            config.user() == null ? "-" : config.user(),
            project,
            Integer.toString(index),
            Integer.toString(PROCESSES),
            Integer.toString(INTERVALS),
            ready.toString(),
            start.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(folder.resolve("recorder-" + index + ".log").toFile());
    if (config.password() != null) {
      builder.environment().put("SLUICE_TEST_PASSWORD", config.password());
    }
    return builder.start();
  }

  /** Waits until every recorder has connected (a file per recorder), failing if one dies. */
  private void awaitReady(List<Process> processes, Path ready) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (true) {
      File[] files = ready.toFile().listFiles();
      if (files != null && files.length == processes.size()) {
        return;
      }
      for (int p = 0; p < processes.size(); p++) {
        if (!processes.get(p).isAlive()) {
          throw new AssertionError("Recorder " + p + " exited before it was ready:\n" + output(p));
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Recorders not ready after 3 minutes");
      }
      Thread.sleep(20);
    }
  }

  private String output(int index) {
    try {
      return Files.readString(folder.resolve("recorder-" + index + ".log"));
    } catch (Exception e) {
      return "(no output: " + e + ")";
    }
  }
}
