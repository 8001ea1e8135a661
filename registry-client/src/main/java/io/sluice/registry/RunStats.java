package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
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
    requireNonNull(stageSeconds, "stageSeconds is null");
    // Map.copyOf would lose the caller's order, which the stored JSON and its readers keep.
    Map<String, Double> ordered = new LinkedHashMap<>();
    stageSeconds.forEach(
        (stage, seconds) ->
            ordered.put(
                requireNonNull(stage, "stage is null"),
                requireNonNull(seconds, "seconds of " + stage + " is null")));
    stageSeconds = Collections.unmodifiableMap(ordered);
  }

  private static void checkCount(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0: " + value);
    }
  }
}
