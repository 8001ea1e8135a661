package io.sluice.engine.run;

import static feast.proto.types.ValueProto.ValueType.Enum.DOUBLE;
import static feast.proto.types.ValueProto.ValueType.Enum.INT64;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.common.feast.Column;
import io.sluice.engine.SparkTestBase;
import io.sluice.engine.reduce.LatestPerEntity;
import io.sluice.engine.run.ProgressSnapshot.Phase;
import io.sluice.engine.sink.SinkCounters;
import io.sluice.engine.source.ViewColumns;
import io.sluice.registry.TimeInterval;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.TaskEndReason;
import org.apache.spark.TaskState;
import org.apache.spark.UnknownReason$;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.scheduler.TaskLocality;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;
import scala.Tuple4;
import scala.collection.JavaConverters;
import scala.collection.Seq;

class RunProgressTest extends SparkTestBase {
  private static final TimeInterval WINDOW =
      new TimeInterval(
          Instant.parse("2024-05-01T00:00:00Z"), Instant.parse("2024-05-02T00:00:00Z"));
  private static final ViewColumns VIEW =
      new ViewColumns(
          List.of(new Column("driver_id", INT64)), List.of(new Column("rate", DOUBLE)), "ts", null);
  private static final int ROWS = 200_000;
  private static final int ENTITIES = 5_000;

  @TempDir Path dir;

  /** Adds each partition's rows to the written counter, as a partition sink would. */
  private static final class CountingSink implements ForeachPartitionFunction<Row> {
    private final SinkCounters counters;

    CountingSink(SinkCounters counters) {
      this.counters = counters;
    }

    @Override
    public void call(Iterator<Row> rows) {
      long count = 0;
      while (rows.hasNext()) {
        rows.next();
        count++;
      }
      counters.written().add(count);
    }
  }

  /** Takes a snapshot after every stage and task event, once the progress listener has seen it. */
  private static final class Recorder extends SparkListener {
    private final RunProgress progress;
    private final List<ProgressSnapshot> snapshots =
        Collections.synchronizedList(new ArrayList<>());

    Recorder(RunProgress progress) {
      this.progress = progress;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
      snapshots.add(progress.snapshot());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
      snapshots.add(progress.snapshot());
    }
  }

  private Dataset<Row> parquetSource() throws IOException {
    // An unused payload column: Parquet reads only the view's columns, so bytes read stay below
    // the files' size.
    spark()
        .range(0, ROWS, 1, 4)
        .selectExpr(
            "id % " + ENTITIES + " AS driver_id",
            "timestamp_seconds(1714521600 + id % 80000) AS ts",
            "CAST(id AS DOUBLE) AS rate",
            "sha2(CAST(id AS STRING), 256) AS payload")
        .write()
        .parquet(dir.resolve("source").toString());
    return spark().read().parquet(dir.resolve("source").toString());
  }

  private long parquetFileBytes() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("source"))) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".parquet"))
          .mapToLong(file -> file.toFile().length())
          .sum();
    }
  }

  @Test
  void snapshotsSeeTheReadPhaseAndThenTheWritePhaseOfTheRunsJobGroupOnly() throws Exception {
    Dataset<Row> latest = LatestPerEntity.reduce(parquetSource(), VIEW, WINDOW).latest();
    long inputBytes = InputSize.of(latest);
    assertThat(inputBytes).isEqualTo(parquetFileBytes());

    SparkContext context = spark().sparkContext();
    SinkCounters counters = SinkCounters.register(context);
    RunProgress progress = new RunProgress(context, "run-1", "driver_stats", inputBytes, counters);
    Recorder recorder = new Recorder(progress);
    context.addSparkListener(progress);
    context.addSparkListener(recorder);
    try {
      assertThat(progress.snapshot().phase()).isEqualTo(Phase.STARTING);
      context.setJobGroup("run-1", "test run", false);
      try {
        latest.foreachPartition(new CountingSink(counters));
      } finally {
        context.clearJobGroup();
      }
      // Another job group's job on the same context counts for nothing.
      context.setJobGroup("another-run", "another run", false);
      try {
        assertThat(latest.count()).isEqualTo(ENTITIES);
      } finally {
        context.clearJobGroup();
      }
      context.listenerBus().waitUntilEmpty();
    } finally {
      context.removeSparkListener(recorder);
      progress.close();
    }

    List<ProgressSnapshot> snapshots = List.copyOf(recorder.snapshots);
    int firstRead = -1;
    int firstWrite = -1;
    for (int i = 0; i < snapshots.size(); i++) {
      ProgressSnapshot snapshot = snapshots.get(i);
      if (firstRead < 0 && snapshot.phase() == Phase.READING && snapshot.bytesRead() > 0) {
        firstRead = i;
      }
      if (firstWrite < 0 && snapshot.phase() == Phase.WRITING) {
        firstWrite = i;
      }
      if (i > 0) {
        assertThat(snapshot.phase()).isGreaterThanOrEqualTo(snapshots.get(i - 1).phase());
      }
    }
    assertThat(firstRead).as("a read snapshot with bytes read in %s", snapshots).isNotNegative();
    assertThat(firstWrite)
        .as("a write snapshot after the read in %s", snapshots)
        .isGreaterThan(firstRead);
    ProgressSnapshot read = snapshots.get(firstRead);
    assertThat(read.bytesRead()).isPositive().isLessThanOrEqualTo(inputBytes);
    assertThat(read.rowsRead()).isPositive();
    assertThat(read.readTasksDone()).isPositive().isLessThanOrEqualTo(read.readTasks());
    assertThat(read.inputBytes()).isEqualTo(inputBytes);
    assertThat(read.describe()).startsWith("reading and reducing, ");

    ProgressSnapshot last = progress.snapshot();
    assertThat(last.phase()).isEqualTo(Phase.WRITING);
    assertThat(last.rowsRead()).isEqualTo(ROWS);
    assertThat(last.bytesRead()).isPositive().isLessThanOrEqualTo(inputBytes);
    assertThat(last.readTasksDone()).isEqualTo(last.readTasks()).isPositive();
    assertThat(last.writeTasksDone()).isEqualTo(last.writeTasks()).isPositive();
    assertThat(last.written()).isEqualTo(ENTITIES);
    assertThat(last.skipped()).isZero();
    assertThat(last.describe()).startsWith("writing, 5,000 rows written, 0 skipped as not newer, ");
    System.out.println("read snapshot: " + read.describe());
    System.out.println("last snapshot: " + last.describe());
  }

  private static <T> Seq<T> seq(List<T> items) {
    return JavaConverters.asScalaBuffer(new ArrayList<>(items));
  }

  private static SparkListenerStageSubmitted submitted(
      int stageId, int tasks, boolean shuffle, String jobGroup) {
    Properties properties = new Properties();
    properties.setProperty("spark.jobGroup.id", jobGroup);
    StageInfo info =
        new StageInfo(
            stageId,
            0,
            "stage " + stageId,
            tasks,
            seq(List.of()),
            seq(List.of()),
            "",
            TaskMetrics.empty(),
            seq(List.of()),
            shuffle ? Option.apply((Object) 7) : Option.empty(),
            0,
            false,
            0);
    return new SparkListenerStageSubmitted(info, properties);
  }

  private static AccumulableInfo update(long id, String name, long value) {
    return new AccumulableInfo(
        id,
        Option.apply(name),
        Option.apply((Object) value),
        Option.empty(),
        false,
        false,
        Option.empty());
  }

  private static SparkListenerExecutorMetricsUpdate heartbeat(
      long taskId, int stageId, AccumulableInfo... updates) {
    Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task =
        new Tuple4<>(taskId, stageId, 0, seq(List.of(updates)));
    return new SparkListenerExecutorMetricsUpdate(
        "1", seq(List.of(task)), JavaConverters.mapAsScalaMap(new HashMap<>()));
  }

  private static SparkListenerTaskEnd taskEnd(
      long taskId,
      int stageId,
      int partition,
      boolean succeeded,
      long bytes,
      List<AccumulableInfo> accumulables) {
    TaskInfo info =
        new TaskInfo(
            taskId,
            partition,
            0,
            partition,
            0,
            "1",
            "localhost",
            TaskLocality.PROCESS_LOCAL(),
            false);
    info.markFinished(succeeded ? TaskState.FINISHED() : TaskState.FAILED(), 1);
    info.setAccumulables(seq(accumulables));
    TaskMetrics metrics = TaskMetrics.empty();
    metrics.inputMetrics().incBytesRead(bytes);
    metrics.inputMetrics().incRecordsRead(bytes / 10);
    TaskEndReason reason = succeeded ? Success$.MODULE$ : UnknownReason$.MODULE$;
    return new SparkListenerTaskEnd(stageId, 0, "ResultTask", reason, info, null, metrics);
  }

  @Test
  void runningTasksCountFromHeartbeatsAndEveryPartitionOnce() {
    SparkContext context = spark().sparkContext();
    SinkCounters counters = SinkCounters.register(context);
    long written = counters.written().id();
    long skipped = counters.skippedNotNewer().id();
    RunProgress progress = new RunProgress(context, "run-2", "driver_stats", 2_000, counters);

    progress.onStageSubmitted(submitted(100, 2, true, "run-2"));
    progress.onStageSubmitted(submitted(200, 5, true, "another-run"));
    progress.onExecutorMetricsUpdate(heartbeat(1, 100, update(-1, RunProgress.BYTES_READ, 300)));
    progress.onExecutorMetricsUpdate(heartbeat(9, 200, update(-1, RunProgress.BYTES_READ, 999)));
    ProgressSnapshot running = progress.snapshot(Long.MAX_VALUE);
    assertThat(running.phase()).isEqualTo(Phase.READING);
    assertThat(running.bytesRead()).isEqualTo(300);
    assertThat(running.readTasks()).isEqualTo(2);
    assertThat(running.readTasksDone()).isZero();

    progress.onTaskEnd(taskEnd(1, 100, 0, true, 500, List.of()));
    // A heartbeat that overtook the task's end, a speculative copy of the same partition, and a
    // failed attempt of the other partition change nothing.
    progress.onExecutorMetricsUpdate(heartbeat(1, 100, update(-1, RunProgress.BYTES_READ, 400)));
    progress.onTaskEnd(taskEnd(2, 100, 0, true, 500, List.of()));
    progress.onExecutorMetricsUpdate(heartbeat(3, 100, update(-1, RunProgress.BYTES_READ, 100)));
    progress.onTaskEnd(taskEnd(3, 100, 1, false, 100, List.of()));
    progress.onTaskEnd(taskEnd(8, 200, 0, true, 700, List.of()));
    ProgressSnapshot read = progress.snapshot(Long.MAX_VALUE);
    assertThat(read.bytesRead()).isEqualTo(500);
    assertThat(read.rowsRead()).isEqualTo(50);
    assertThat(read.readTasksDone()).isEqualTo(1);

    progress.onStageSubmitted(submitted(101, 2, false, "run-2"));
    progress.onExecutorMetricsUpdate(heartbeat(4, 101, update(written, "sluice.rows_written", 7)));
    assertThat(progress.snapshot(Long.MAX_VALUE).phase()).isEqualTo(Phase.WRITING);
    assertThat(progress.snapshot(Long.MAX_VALUE).written()).isEqualTo(7);
    progress.onTaskEnd(
        taskEnd(
            4,
            101,
            0,
            true,
            0,
            List.of(
                update(written, "sluice.rows_written", 10),
                update(skipped, "sluice.rows_skipped_not_newer", 2))));
    ProgressSnapshot writing = progress.snapshot(Long.MAX_VALUE);
    assertThat(writing.written()).isEqualTo(10);
    assertThat(writing.skipped()).isEqualTo(2);
    assertThat(writing.writeTasksDone()).isEqualTo(1);
    assertThat(writing.writeTasks()).isEqualTo(2);
    assertThat(writing.bytesRead()).isEqualTo(500);
  }
}
