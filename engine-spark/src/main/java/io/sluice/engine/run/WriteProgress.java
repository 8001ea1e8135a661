package io.sluice.engine.run;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the write stage's progress on the driver every 10 seconds: rows written so far by finished
 * partitions and the rate. Executors log their own partitions' progress as they go.
 */
final class WriteProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteProgress.class);
  private static final long INTERVAL_SECONDS = 10;

  private final ScheduledExecutorService timer;

  private WriteProgress(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  static WriteProgress start(String view, LongAccumulator written, LongAccumulator skipped) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "sluice-progress");
              thread.setDaemon(true);
              return thread;
            });
    long started = System.nanoTime();
    timer.scheduleAtFixedRate(
        () -> {
          long rows = written.value() + skipped.value();
          double seconds = (System.nanoTime() - started) / 1e9;
          LOG.info(
              "Materializing {}: {} rows written, {} skipped as not newer by finished partitions,"
                  + " {} rows/s, {} s",
              view,
              written.value(),
              skipped.value(),
              Math.round(rows / seconds),
              Math.round(seconds));
        },
        INTERVAL_SECONDS,
        INTERVAL_SECONDS,
        TimeUnit.SECONDS);
    return new WriteProgress(timer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
