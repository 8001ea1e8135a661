package io.sluice.engine.run;

import io.sluice.engine.reduce.LatestPerEntity;
import io.sluice.registry.RunStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * The counts of one run as it goes, driver side: accumulators the partition sinks add to, the
 * observed read counts, and seconds per stage. Turns into the registry's {@link RunStats} and the
 * run's {@link RunReport} at any point, so a failed run reports what it had done.
 */
final class RunCounters {
  final LongAccumulator written;
  final LongAccumulator skippedNotNewer;
  final LongAccumulator partitions;
  private final Map<String, Long> dropped = new LinkedHashMap<>();
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private final long startedNanos = System.nanoTime();
  private long rowsRead;

  RunCounters(SparkContext spark) {
    written = spark.longAccumulator("sluice.rows_written");
    skippedNotNewer = spark.longAccumulator("sluice.rows_skipped_not_newer");
    partitions = spark.longAccumulator("sluice.partitions");
  }

  /** Takes the counts observed while reading: rows read and rows dropped by reason. */
  void observed(Map<String, Object> counts) {
    rowsRead = number(counts, LatestPerEntity.ROWS_READ);
    dropped.put(LatestPerEntity.NULL_JOIN_KEY, number(counts, LatestPerEntity.NULL_JOIN_KEY));
    dropped.put(
        LatestPerEntity.NULL_EVENT_TIMESTAMP, number(counts, LatestPerEntity.NULL_EVENT_TIMESTAMP));
  }

  void seconds(String stage, double value) {
    seconds.put(stage, Math.round(value * 1000) / 1000.0);
  }

  /** Records the seconds since {@code startNanos} for a stage. */
  void secondsSince(String stage, long startNanos) {
    seconds(stage, (System.nanoTime() - startNanos) / 1e9);
  }

  /** Records the seconds since the run started as {@code total}. */
  void finish() {
    secondsSince("total", startedNanos);
  }

  long startedNanos() {
    return startedNanos;
  }

  RunStats stats() {
    return new RunStats(
        rowsRead,
        droppedTotal(),
        written.value() + skippedNotNewer.value(),
        written.value(),
        skippedNotNewer.value(),
        partitions.value().intValue(),
        seconds);
  }

  RunReport report(RunReport.Context context, String status, int exitCode, String error) {
    return new RunReport(
        context.runId(),
        context.command(),
        context.project(),
        context.featureView(),
        context.window().start(),
        context.window().end(),
        context.mode(),
        status,
        exitCode,
        rowsRead,
        new LinkedHashMap<>(dropped),
        written.value() + skippedNotNewer.value(),
        written.value(),
        skippedNotNewer.value(),
        partitions.value().intValue(),
        new LinkedHashMap<>(seconds),
        context.onlineStore(),
        error);
  }

  private long droppedTotal() {
    return dropped.values().stream().mapToLong(Long::longValue).sum();
  }

  private static long number(Map<String, Object> counts, String name) {
    Object value = counts.get(name);
    return value == null ? 0 : ((Number) value).longValue();
  }
}
