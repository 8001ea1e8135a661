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
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executor side: writes one partition of reduced rows through one {@link OnlineWriter}, opened when
 * the partition's first row arrives and reused for the whole partition, in batches of the spec's
 * batch size. Rows stream from Spark's iterator; only one batch is held at a time.
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

  private final WriteSpec spec;
  private final RowAdapter adapter;
  private final SinkCounters counters;

  public PartitionSink(WriteSpec spec, SinkCounters counters) {
    this.spec = requireNonNull(spec, "spec is null");
    this.adapter = new RowAdapter(spec.layout());
    this.counters = requireNonNull(counters, "counters is null");
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
      return OnlineStores.openWriter(spec.store(), spec.view(), spec.options());
    } catch (OnlineStoreException e) {
      countRetries(e.acknowledged());
      throw e;
    }
  }

  private void countRetries(WriteStats stats) {
    counters.storeRetries().add(stats.retries());
    counters.storeThrottled().add(stats.throttled());
  }

  private void writeAll(
      Iterator<Row> rows,
      OnlineWriter writer,
      int batchSize,
      TaskContext task,
      int partition,
      long start) {
    long lastLog = start;
    List<FeatureRow> batch = new ArrayList<>(batchSize);
    while (rows.hasNext()) {
      batch.add(adapter.toFeatureRow(rows.next()));
      if (batch.size() == batchSize || !rows.hasNext()) {
        WriteStats stats = writer.write(batch);
        counters.written().add(stats.written());
        counters.skippedNotNewer().add(stats.skippedNotNewer());
        if (task != null) {
          // Spark's own output metric (private[spark] in Scala, public in bytecode), as its
          // file and JDBC sinks report it.
          task.taskMetrics().outputMetrics().setRecordsWritten(writer.stats().written());
        }
        batch.clear();
        long now = System.nanoTime();
        if (now - lastLog >= PROGRESS_NANOS) {
          lastLog = now;
          logProgress(partition, writer.stats(), now - start);
        }
      }
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
