package io.sluice.engine.sink;

import static java.util.Objects.requireNonNull;

import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineStoreConfig;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.stores.OnlineStores;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executor side: writes one partition of reduced rows through one {@link OnlineWriter}, opened when
 * the partition's first row arrives and reused for the whole partition, in batches of {@code
 * batchSize}. Rows stream from Spark's iterator; only one batch is held at a time.
 *
 * <p>Counts (rows written, skipped, non-empty partitions) go to accumulators updated inside the
 * action, so Spark merges them once per successful task. Holds only serializable configuration,
 * never a SparkSession. Logs its progress at least every 10 seconds.
 */
public final class PartitionSink implements ForeachPartitionFunction<Row> {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionSink.class);
  private static final long PROGRESS_NANOS = 10_000_000_000L;

  private final OnlineStoreConfig store;
  private final FeatureViewSchema view;
  private final WriteOptions options;
  private final int batchSize;
  private final RowAdapter adapter;
  private final LongAccumulator written;
  private final LongAccumulator skippedNotNewer;
  private final LongAccumulator partitions;

  public PartitionSink(
      OnlineStoreConfig store,
      FeatureViewSchema view,
      WriteOptions options,
      int batchSize,
      boolean[] arrayFeatures,
      LongAccumulator written,
      LongAccumulator skippedNotNewer,
      LongAccumulator partitions) {
    this.store = requireNonNull(store, "store is null");
    this.view = requireNonNull(view, "view is null");
    this.options = requireNonNull(options, "options is null");
    this.batchSize = batchSize;
    this.adapter = new RowAdapter(view.joinKeys().size(), arrayFeatures);
    this.written = requireNonNull(written, "written is null");
    this.skippedNotNewer = requireNonNull(skippedNotNewer, "skippedNotNewer is null");
    this.partitions = requireNonNull(partitions, "partitions is null");
  }

  @Override
  public void call(Iterator<Row> rows) {
    if (!rows.hasNext()) {
      return;
    }
    partitions.add(1);
    int partition = TaskContext.getPartitionId();
    long start = System.nanoTime();
    long lastLog = start;
    try (OnlineWriter writer = OnlineStores.openWriter(store, view, options)) {
      List<FeatureRow> batch = new ArrayList<>(batchSize);
      while (rows.hasNext()) {
        batch.add(adapter.toFeatureRow(rows.next()));
        if (batch.size() == batchSize || !rows.hasNext()) {
          WriteStats stats = writer.write(batch);
          written.add(stats.written());
          skippedNotNewer.add(stats.skippedNotNewer());
          batch.clear();
          long now = System.nanoTime();
          if (now - lastLog >= PROGRESS_NANOS) {
            lastLog = now;
            logProgress(partition, writer.stats(), now - start);
          }
        }
      }
      LOG.debug("Partition {} of {} done: {}", partition, view.name(), writer.stats());
    }
  }

  private void logProgress(int partition, WriteStats stats, long elapsedNanos) {
    LOG.info(
        "Writing {} partition {}: {} rows written, {} skipped as not newer, {} rows/s",
        view.name(),
        partition,
        stats.written(),
        stats.skippedNotNewer(),
        Math.round(stats.acknowledged() / (elapsedNanos / 1e9)));
  }
}
