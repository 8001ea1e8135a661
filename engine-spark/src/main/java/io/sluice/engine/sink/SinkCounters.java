package io.sluice.engine.sink;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;
import scala.Option;

/**
 * The accumulators partition sinks add to: rows written, rows skipped as not newer, non-empty
 * partitions, and the store requests the writers retried and, of those, the throttled ones.
 *
 * <p>Rows and partitions are merged once per successful task (Spark's default), so a task that
 * failed and ran again is counted once. Retries and throttled requests also count from failed tasks
 * (Spark's {@code countFailedValues}): they are requests that really went to the store, and a run
 * that failed because the store kept throttling must report that it did.
 */
public record SinkCounters(
    LongAccumulator written,
    LongAccumulator skippedNotNewer,
    LongAccumulator partitions,
    LongAccumulator storeRetries,
    LongAccumulator storeThrottled)
    implements Serializable {
  public SinkCounters {
    requireNonNull(written, "written is null");
    requireNonNull(skippedNotNewer, "skippedNotNewer is null");
    requireNonNull(partitions, "partitions is null");
    requireNonNull(storeRetries, "storeRetries is null");
    requireNonNull(storeThrottled, "storeThrottled is null");
  }

  /** Registers a new set with the driver's Spark context. */
  public static SinkCounters register(SparkContext spark) {
    return new SinkCounters(
        spark.longAccumulator("sluice.rows_written"),
        spark.longAccumulator("sluice.rows_skipped_not_newer"),
        spark.longAccumulator("sluice.partitions"),
        countingFailedTasks(spark, "sluice.store_retries"),
        countingFailedTasks(spark, "sluice.store_throttled"));
  }

  /**
   * An accumulator whose additions in failed tasks are merged too. {@code register} with {@code
   * countFailedValues} is {@code private[spark]} in Scala, public in bytecode (as Spark's own
   * failure-counting metrics use it).
   */
  private static LongAccumulator countingFailedTasks(SparkContext spark, String name) {
    LongAccumulator accumulator = new LongAccumulator();
    accumulator.register(spark, Option.apply(name), true);
    return accumulator;
  }
}
