package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The counts and timings of one run, as stored in the run history.
 *
 * @param stageSeconds seconds spent per stage (read, reduce, write…), in the caller's order
 */
public record RunStats(
    long rowsRead,
    long rowsDropped,
    long entities,
    long rowsWritten,
    long rowsSkippedNotNewer,
    int partitions,
    Map<String, Double> stageSeconds) {
  /** No counts: for a run that failed before counting anything. */
  public static final RunStats NONE = new RunStats(0, 0, 0, 0, 0, 0, Map.of());

  public RunStats {
    checkCount("rowsRead", rowsRead);
    checkCount("rowsDropped", rowsDropped);
    checkCount("entities", entities);
    checkCount("rowsWritten", rowsWritten);
    checkCount("rowsSkippedNotNewer", rowsSkippedNotNewer);
    checkCount("partitions", partitions);
    stageSeconds = Map.copyOf(requireNonNull(stageSeconds, "stageSeconds is null"));
  }

  private static void checkCount(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0: " + value);
    }
  }
}
