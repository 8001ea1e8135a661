package io.sluice.engine.sink;

import static feast.proto.types.ValueProto.ValueType.Enum.FLOAT;
import static feast.proto.types.ValueProto.ValueType.Enum.INT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.common.feast.Column;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.sqlite.SqliteOnlineStoreConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/**
 * The sink's batches, without Spark: rows from a plain iterator, a writer that records how it is
 * called (the store is a stand-in, as what is tested is the sink's hand-over, not a store).
 */
class PartitionSinkTest {
  private static final int BATCH = 10;
  private static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");
  private static final FeatureViewSchema VIEW =
      new FeatureViewSchema(
          "p", "stats", List.of(new Column("driver_id", INT64)), List.of(new Column("f", FLOAT)));

  private static SinkCounters counters() {
    return new SinkCounters(
        new LongAccumulator(),
        new LongAccumulator(),
        new LongAccumulator(),
        new LongAccumulator(),
        new LongAccumulator());
  }

  private static WriteSpec spec() {
    return new WriteSpec(
        new SqliteOnlineStoreConfig("unused.db"), VIEW, WriteOptions.defaults(), BATCH);
  }

  /** Rows in the reduced layout (key, event time, created time, feature), counting pulls. */
  private static final class Rows implements Iterator<Row> {
    private final int count;
    final AtomicInteger pulled = new AtomicInteger();
    final CountDownLatch secondBatchPulled = new CountDownLatch(1);

    Rows(int count) {
      this.count = count;
    }

    @Override
    public boolean hasNext() {
      return pulled.get() < count;
    }

    @Override
    public Row next() {
      int i = pulled.incrementAndGet();
      if (i == 2 * BATCH) {
        secondBatchPulled.countDown();
      }
      return RowFactory.create((long) i, T0, null, (float) i);
    }
  }

  /** Records its batches; fails at batch {@code failAt} (1-based, 0 for never). */
  private static final class RecordingWriter implements OnlineWriter {
    final List<List<FeatureRow>> batches = Collections.synchronizedList(new ArrayList<>());
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger active = new AtomicInteger();
    final Rows rows;
    final int failAt;
    final RuntimeException failure = new IllegalStateException("the store failed");
    volatile long written;
    volatile boolean closed;

    RecordingWriter(Rows rows, int failAt) {
      this.rows = rows;
      this.failAt = failAt;
    }

    @Override
    public WriteStats write(List<FeatureRow> batch) {
      if (active.incrementAndGet() != 1) {
        problems.add("two writes at once");
      }
      try {
        batches.add(List.copyOf(batch));
        if (batches.size() == 1) {
          // The sink gathers batch 2 while batch 1 is being written.
          try {
            if (!rows.secondBatchPulled.await(30, TimeUnit.SECONDS)) {
              problems.add("batch 2 was not gathered while batch 1 was written");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        if (batches.size() == failAt) {
          throw failure;
        }
        written += batch.size();
        return new WriteStats(batch.size(), 0);
      } finally {
        active.decrementAndGet();
      }
    }

    @Override
    public WriteStats stats() {
      return new WriteStats(written, 0);
    }

    @Override
    public void close() {
      if (active.get() != 0) {
        problems.add("closed while writing");
      }
      closed = true;
    }
  }

  @Test
  void batchesAreWrittenOneAtATimeWhileTheNextIsGatheredAndAllAreCounted() {
    Rows rows = new Rows(3 * BATCH + 5);
    RecordingWriter writer = new RecordingWriter(rows, 0);
    SinkCounters counters = counters();
    new PartitionSink(spec(), counters, spec -> writer).call(rows);

    assertThat(writer.problems).isEmpty();
    assertThat(writer.batches).extracting(List::size).containsExactly(BATCH, BATCH, BATCH, 5);
    assertThat(writer.batches.get(3).get(4).joinKeyValues()).containsExactly(35L);
    assertThat(counters.written().value()).isEqualTo(35);
    assertThat(counters.partitions().value()).isEqualTo(1);
    assertThat(writer.closed).isTrue();
  }

  @Test
  void aFailedBatchFailsThePartitionWithTheWritersOwnExceptionAndOnlyEarlierBatchesCount() {
    Rows rows = new Rows(5 * BATCH);
    RecordingWriter writer = new RecordingWriter(rows, 2);
    SinkCounters counters = counters();
    PartitionSink sink = new PartitionSink(spec(), counters, spec -> writer);

    assertThatThrownBy(() -> sink.call(rows)).isSameAs(writer.failure);
    assertThat(writer.problems).isEmpty();
    assertThat(counters.written().value()).isEqualTo(BATCH);
    assertThat(writer.batches).hasSizeLessThanOrEqualTo(3);
    assertThat(writer.closed).isTrue();
  }
}
