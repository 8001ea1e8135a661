package io.sluice.engine.sink;

import static java.util.Objects.requireNonNull;

import io.sluice.online.FeatureRow;
import io.sluice.online.OnlineStoreException;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteStats;
import io.sluice.online.stores.OnlineStores;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executor side: writes one partition of reduced rows through one {@link OnlineWriter}, opened when
 * the partition's first row arrives and reused for the whole partition, in batches of the spec's
 * batch size, one batch being written while the next is gathered. Rows stream from Spark's
 * iterator; at most two batches are held at a time.
 *
 * <p>Counts (rows written, skipped, non-empty partitions) go to accumulators updated inside the
 * action, so Spark merges them once per successful task. The writer's retries and throttled
 * requests are added when the partition ends, also when it fails (those accumulators count failed
 * tasks too, see {@link SinkCounters}), so a run that failed on throttling reports it. Rows written
 * are also the task's output records, so the Spark UI and history server show them as for any Spark
 * sink. Holds only serializable configuration, never a SparkSession. Logs its progress at least
 * every 10 seconds.
 */
public final class PartitionSink implements ForeachPartitionFunction<Row> {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionSink.class);
  private static final long PROGRESS_NANOS = 10_000_000_000L;
  private static final long STOP_SECONDS = 60;

  private final WriteSpec spec;
  private final RowAdapter adapter;
  private final SinkCounters counters;
  private final WriterOpener opener;

  public PartitionSink(WriteSpec spec, SinkCounters counters) {
    this(
        spec,
        counters,
        write -> OnlineStores.openWriter(write.store(), write.view(), write.options()));
  }

  /** As the public constructor, with the writers {@code opener} opens (tests give their own). */
  PartitionSink(WriteSpec spec, SinkCounters counters, WriterOpener opener) {
    this.spec = requireNonNull(spec, "spec is null");
    this.adapter = new RowAdapter(spec.layout());
    this.counters = requireNonNull(counters, "counters is null");
    this.opener = requireNonNull(opener, "opener is null");
  }

  /** Opens a partition's writer for a spec; shipped to executors with the sink. */
  @FunctionalInterface
  interface WriterOpener extends java.io.Serializable {
    OnlineWriter open(WriteSpec spec);
  }

  @Override
  public void call(Iterator<Row> rows) {
    if (!rows.hasNext()) {
      return;
    }
    counters.partitions().add(1);
    TaskContext task = TaskContext.get();
    int partition = TaskContext.getPartitionId();
    long start = System.nanoTime();
    int batchSize = spec.batchSize();
    try (OnlineWriter writer = open()) {
      try {
        writeAll(rows, writer, batchSize, task, partition, start);
      } finally {
        countRetries(writer.stats());
      }
      LOG.debug("Partition {} of {} done: {}", partition, spec.view().name(), writer.stats());
    }
  }

  /** Opens the partition's writer; a failure to open still reports the retries it made. */
  private OnlineWriter open() {
    try {
      return opener.open(spec);
    } catch (OnlineStoreException e) {
      countRetries(e.acknowledged());
      throw e;
    }
  }

  private void countRetries(WriteStats stats) {
    counters.storeRetries().add(stats.retries());
    counters.storeThrottled().add(stats.throttled());
  }

  /**
   * Writes the partition batch by batch with one batch in flight: a thread of the task's own writes
   * batch k while the task thread pulls and converts the rows of batch k + 1 (finishing the
   * aggregation as it goes), so the store's round trips overlap the task's work instead of
   * following it. The writer is only ever used by one thread at a time: a batch is handed over only
   * after the previous one came back. A failed batch fails the partition at the next hand-over or
   * at the end, with the writer's own exception.
   */
  private void writeAll(
      Iterator<Row> rows,
      OnlineWriter writer,
      int batchSize,
      TaskContext task,
      int partition,
      long start) {
    ExecutorService background =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread =
                  new Thread(runnable, "sluice-write-" + spec.view().name() + "-" + partition);
              thread.setDaemon(true);
              return thread;
            });
    Future<WriteStats> inFlight = null;
    try {
      long lastLog = start;
      List<FeatureRow> batch = new ArrayList<>(batchSize);
      while (rows.hasNext()) {
        batch.add(adapter.toFeatureRow(rows.next()));
        if (batch.size() == batchSize || !rows.hasNext()) {
          if (inFlight != null) {
            count(await(inFlight), writer, task);
            inFlight = null;
            long now = System.nanoTime();
            if (now - lastLog >= PROGRESS_NANOS) {
              lastLog = now;
              logProgress(partition, writer.stats(), now - start);
            }
          }
          List<FeatureRow> full = batch;
          inFlight = background.submit(() -> writer.write(full));
          batch = new ArrayList<>(batchSize);
        }
      }
      if (inFlight != null) {
        count(await(inFlight), writer, task);
        inFlight = null;
      }
    } catch (RuntimeException | Error e) {
      // A batch that failed before the task did is the first failure: its kind decides the exit
      // code.
      RuntimeException earlier = failureOf(inFlight);
      if (earlier != null && earlier != e) {
        earlier.addSuppressed(e);
        throw earlier;
      }
      throw e;
    } finally {
      if (inFlight != null) {
        inFlight.cancel(true); // the partition failed: its last batch need not land
      }
      background.shutdownNow();
      awaitStopped(background);
    }
  }

  private void count(WriteStats stats, OnlineWriter writer, TaskContext task) {
    counters.written().add(stats.written());
    counters.skippedNotNewer().add(stats.skippedNotNewer());
    if (task != null) {
      // Spark's own output metric (private[spark] in Scala, public in bytecode), as its file and
      // JDBC sinks report it.
      task.taskMetrics().outputMetrics().setRecordsWritten(writer.stats().written());
    }
  }

  /** The batch's stats, or the writer's own exception when it failed. */
  private static WriteStats await(Future<WriteStats> batch) {
    try {
      return batch.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("Writing a batch failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while a batch was being written", e);
    }
  }

  /**
   * Waits for the write thread to end before the writer is closed. A write blocked on a socket does
   * not see the interrupt; its client's socket timeout ends it.
   */
  private void awaitStopped(ExecutorService background) {
    // An interrupted task (Spark kills speculative copies so) still waits: its writer must not be
    // closed under the write thread.
    boolean interrupted = Thread.interrupted();
    try {
      if (!background.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn(
            "The write thread of {} did not stop within {} s; closing its writer anyway",
            spec.view().name(),
            STOP_SECONDS);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The failure of a batch that already failed, or null (not done, or done without one). */
  private static RuntimeException failureOf(Future<WriteStats> batch) {
    if (batch == null || !batch.isDone() || batch.isCancelled()) {
      return null;
    }
    try {
      batch.get();
      return null;
    } catch (ExecutionException e) {
      return e.getCause() instanceof RuntimeException failure ? failure : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void logProgress(int partition, WriteStats stats, long elapsedNanos) {
    LOG.info(
        "Writing {} partition {}: {} rows written, {} skipped as not newer, {} rows/s, {} retries"
            + " ({} throttled)",
        spec.view().name(),
        partition,
        stats.written(),
        stats.skippedNotNewer(),
        Math.round(stats.acknowledged() / (elapsedNanos / 1e9)),
        stats.retries(),
        stats.throttled());
  }
}
