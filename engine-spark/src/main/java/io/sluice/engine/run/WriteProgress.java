package io.sluice.engine.run;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Logs the write stage's progress on the driver every 10 seconds: rows written and skipped so far
 * and the rate. Finished tasks count through the accumulators; running tasks through the
 * accumulator values their executors send with each heartbeat, so long partitions show progress
 * before they finish. Driver side.
 */
final class WriteProgress extends SparkListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteProgress.class);
  private static final long INTERVAL_SECONDS = 10;

  private final SparkContext spark;
  private final String view;
  private final LongAccumulator written;
  private final LongAccumulator skipped;
  private final Map<Long, long[]> running = new ConcurrentHashMap<>();
  private final long started = System.nanoTime();
  private ScheduledExecutorService timer;

  private WriteProgress(
      SparkContext spark, String view, LongAccumulator written, LongAccumulator skipped) {
    this.spark = spark;
    this.view = view;
    this.written = written;
    this.skipped = skipped;
  }

  static WriteProgress start(
      SparkContext spark, String view, LongAccumulator written, LongAccumulator skipped) {
    WriteProgress progress = new WriteProgress(spark, view, written, skipped);
    spark.addSparkListener(progress);
    progress.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "sluice-progress");
              thread.setDaemon(true);
              return thread;
            });
    progress.timer.scheduleAtFixedRate(
        progress::log, INTERVAL_SECONDS, INTERVAL_SECONDS, TimeUnit.SECONDS);
    return progress;
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate event) {
    for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task :
        JavaConverters.seqAsJavaList(event.accumUpdates())) {
      long[] counts = {0, 0};
      for (AccumulableInfo info : JavaConverters.seqAsJavaList(task._4())) {
        if (info.update().isDefined() && info.update().get() instanceof Long value) {
          if (info.id() == written.id()) {
            counts[0] = value;
          } else if (info.id() == skipped.id()) {
            counts[1] = value;
          }
        }
      }
      running.put((Long) task._1(), counts);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    running.remove(event.taskInfo().taskId());
  }

  private void log() {
    long writtenSoFar = written.value();
    long skippedSoFar = skipped.value();
    for (long[] counts : running.values()) {
      writtenSoFar += counts[0];
      skippedSoFar += counts[1];
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    LOG.info(
        "Materializing {}: {} rows written, {} skipped as not newer, {} rows/s, {} s",
        view,
        writtenSoFar,
        skippedSoFar,
        Math.round((writtenSoFar + skippedSoFar) / seconds),
        Math.round(seconds));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    spark.removeSparkListener(this);
  }
}
