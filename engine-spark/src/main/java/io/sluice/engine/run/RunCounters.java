package io.sluice.engine.run;

import io.sluice.engine.reduce.LatestPerEntity;
import io.sluice.engine.sink.SinkCounters;
import io.sluice.engine.staging.StagingReport;
import io.sluice.registry.RunStats;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkContext;

/**
 * The counts of one run as it goes, driver side: accumulators the partition sinks add to, the
 * observed read counts, and seconds per stage. Turns into the registry's {@link RunStats} and the
 * run's {@link RunReport} at any point, so a failed run reports what it had done.
 */
final class RunCounters {
  final SinkCounters sink;
  private final Map<String, Long> dropped = new LinkedHashMap<>();
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private final long startedNanos = System.nanoTime();
  private long rowsRead;
  private StagingReport staging;

  RunCounters(SparkContext spark) {
    sink = SinkCounters.register(spark);
    // From the JVM's start to this run's: JVM boot, config and registry, the Spark session.
    long jvmStarted = ManagementFactory.getRuntimeMXBean().getStartTime();
    seconds("startup", Math.max(0, System.currentTimeMillis() - jvmStarted) / 1000.0);
  }

  /** Takes the counts observed while reading: rows read and rows dropped by reason. */
  void observed(Map<String, Object> counts) {
    rowsRead = number(counts, LatestPerEntity.ROWS_READ);
    dropped.put(LatestPerEntity.NULL_JOIN_KEY, number(counts, LatestPerEntity.NULL_JOIN_KEY));
    dropped.put(
        LatestPerEntity.NULL_EVENT_TIMESTAMP, number(counts, LatestPerEntity.NULL_EVENT_TIMESTAMP));
  }

  void staging(StagingReport report) {
    staging = report;
  }

  StagingReport staging() {
    return staging;
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
        written() + skipped(),
        written(),
        skipped(),
        partitions(),
        seconds);
  }

  RunReport.Counts counts() {
    return new RunReport.Counts(
        rowsRead,
        new LinkedHashMap<>(dropped),
        written() + skipped(),
        written(),
        skipped(),
        sink.storeRetries().value(),
        sink.storeThrottled().value(),
        partitions(),
        new LinkedHashMap<>(seconds),
        staging);
  }

  private long written() {
    return sink.written().value();
  }

  private long skipped() {
    return sink.skippedNotNewer().value();
  }

  private int partitions() {
    return sink.partitions().value().intValue();
  }

  private long droppedTotal() {
    return dropped.values().stream().mapToLong(Long::longValue).sum();
  }

  private static long number(Map<String, Object> counts, String name) {
    Object value = counts.get(name);
    return value == null ? 0 : ((Number) value).longValue();
  }
}
