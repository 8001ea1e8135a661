package io.sluice.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A separate JVM that records intervals the way a materialization run does (start a run, then
 * complete it), started by {@link ConcurrentRecordingTest}. It connects, says it is ready, waits
 * for the start file, then records its intervals as fast as it can.
 *
 * <p>Arguments: jdbcUrl dialect user project processIndex processCount intervalsPerProcess
 * readyDirectory startFile. The password comes from {@code SLUICE_TEST_PASSWORD}.
 */
public final class RecorderProcess {
  static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");
  static final String DISJOINT_VIEW = "driver_hourly_stats";
  static final String OVERLAPPING_VIEW = "global_stats";

  private RecorderProcess() {}

  /** Interval {@code i} of process {@code p}: one hour, with an hour of gap to the next. */
  static TimeInterval disjoint(int p, int i, int processCount) {
    long slot = (long) i * processCount + p;
    return new TimeInterval(
        BASE.plus(Duration.ofHours(2 * slot)), BASE.plus(Duration.ofHours(2 * slot + 1)));
  }

  /** Interval {@code i} of process {@code p}: 90 minutes, overlapping the next slot by 30. */
  static TimeInterval overlapping(int p, int i, int processCount) {
    long slot = (long) i * processCount + p;
    return new TimeInterval(
        BASE.plus(Duration.ofHours(slot)), BASE.plus(Duration.ofMinutes(60 * slot + 90)));
  }

  public static void main(String[] args) throws Exception {
    RegistryConfig config =
        new RegistryConfig(
            RegistryDialect.valueOf(args[1]),
            args[0],
            args[2].equals("-") ? null : args[2],
            System.getenv("SLUICE_TEST_PASSWORD"));
    String project = args[3];
    int process = Integer.parseInt(args[4]);
    int processCount = Integer.parseInt(args[5]);
    int intervals = Integer.parseInt(args[6]);
    Path ready = Path.of(args[7]);
    Path start = Path.of(args[8]);
    try (SqlRegistry registry = SqlRegistry.open(config)) {
      registry.featureView(project, DISJOINT_VIEW);
      Files.createFile(ready.resolve(Integer.toString(process)));
      while (!Files.exists(start)) {
        Thread.onSpinWait();
        Thread.sleep(1);
      }
      for (int i = 0; i < intervals; i++) {
        record(registry, project, DISJOINT_VIEW, disjoint(process, i, processCount));
        record(registry, project, OVERLAPPING_VIEW, overlapping(process, i, processCount));
      }
    }
  }

  private static void record(
      SqlRegistry registry, String project, String view, TimeInterval window) {
    String runId = registry.startRun(project, view, window, "recorder");
    registry.completeRun(runId, new RunStats(1, 0, 1, 1, 0, 1, Map.of("write", 0.001)));
  }
}
