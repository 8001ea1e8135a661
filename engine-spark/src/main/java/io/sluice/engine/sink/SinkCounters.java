package io.sluice.engine.sink;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * The accumulators partition sinks add to: rows written, rows skipped as not newer, non-empty
 * partitions. Spark merges a task's additions once, when the task succeeds.
 */
public record SinkCounters(
    LongAccumulator written, LongAccumulator skippedNotNewer, LongAccumulator partitions)
    implements Serializable {
  public SinkCounters {
    requireNonNull(written, "written is null");
    requireNonNull(skippedNotNewer, "skippedNotNewer is null");
    requireNonNull(partitions, "partitions is null");
  }

  /** Registers a new set with the driver's Spark context. */
  public static SinkCounters register(SparkContext spark) {
    return new SinkCounters(
        spark.longAccumulator("sluice.rows_written"),
        spark.longAccumulator("sluice.rows_skipped_not_newer"),
        spark.longAccumulator("sluice.partitions"));
  }
}
