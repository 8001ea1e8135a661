package io.sluice.engine.run;

import io.sluice.engine.run.ProgressSnapshot.Phase;
import io.sluice.engine.sink.SinkCounters;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.Dataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple4;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Logs the progress of one run's write action on the driver every 10 seconds, from its first stage
 * to its last: while Spark reads the window and reduces it, the bytes and rows read and the read
 * tasks done; while the partition sinks write, the rows written and skipped, the rate and the write
 * tasks done; each with an estimate of the time left ({@link ProgressSnapshot} does the arithmetic
 * and the text).
 *
 * <p>What it counts, and why it holds up:
 *
 * <ul>
 *   <li>Only stages of the run's job group ({@code spark.jobGroup.id} in the stage's properties),
 *       however many jobs AQE splits the action into. A stage that computes a shuffle belongs to
 *       the read phase (with {@code batch_engine.partitions} there are two: the scan with the
 *       partial aggregation, then the final aggregation into the repartition); the first result
 *       stage starts the write phase.
 *   <li>Tasks done: distinct partitions of a stage whose task succeeded, so retried and speculative
 *       tasks count once; a stage's tasks are those of its first attempt.
 *   <li>Bytes and records read, rows written and skipped: finished tasks from their task end (the
 *       input metrics, and the update of the sinks' accumulators Spark puts in the task's info);
 *       running tasks from the values their executors send with each heartbeat (Spark's internal
 *       accumulators {@value #BYTES_READ} and {@value #RECORDS_READ}, and the sinks' accumulators),
 *       so a long task shows progress before it ends. A heartbeat that arrives after its task ended
 *       is ignored, so a task is never counted twice.
 *   <li>The total to read: {@link InputSize}, the sizes of the files the scans select, known to the
 *       driver without reading anything; unknown for a source that is not files. The bytes read are
 *       what tasks read from the filesystem, which for Parquet is only the columns the view needs,
 *       so they can end below the total: the read phase's fraction done is the greater of the bytes
 *       fraction and the tasks fraction (file scans split the input into read tasks of about equal
 *       bytes; a split of a Parquet file that holds no row group's start ends at once, so early on
 *       the tasks can run ahead), and the time left is extrapolated linearly from it.
 *   <li>The write phase's fraction done is its tasks: the number of entities to write is only known
 *       at the end. With few write tasks (AQE coalesces small shuffles) there is no estimate until
 *       the first one ends.
 * </ul>
 *
 * <p>Cheap: no Spark job, nothing collected; state is a few numbers per stage and per task.
 * Thread-safe: listener events come on Spark's listener thread, the log line on a timer thread, and
 * both go through this object's lock. Driver side; a failure to log is never a run's failure.
 */
final class RunProgress extends SparkListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunProgress.class);
  private static final Duration INTERVAL = Duration.ofSeconds(10);
  static final String BYTES_READ = "internal.metrics.input.bytesRead";
  static final String RECORDS_READ = "internal.metrics.input.recordsRead";

  // Indexes into the counts kept per task.
  private static final int BYTES = 0;
  private static final int RECORDS = 1;
  private static final int WRITTEN = 2;
  private static final int SKIPPED = 3;

  private final SparkContext spark;
  private final String jobGroup;
  private final String view;

  /** Set once, by the timer thread, when the size is known; UNKNOWN until then. */
  private volatile long inputBytes;

  private final long writtenId;
  private final long skippedId;

  // Guarded by this.
  private final Map<Integer, Integer> readStageTasks = new HashMap<>();
  private final Map<Integer, Integer> writeStageTasks = new HashMap<>();
  private final Map<Integer, Set<Integer>> donePartitions = new HashMap<>();
  private final Map<Long, long[]> finished = new HashMap<>();
  private final Map<Long, long[]> running = new HashMap<>();
  private final Set<Long> ended = new HashSet<>();
  private long readStarted = -1;
  private long writeStarted = -1;

  private ScheduledExecutorService timer;

  RunProgress(
      SparkContext spark, String jobGroup, String view, long inputBytes, SinkCounters sink) {
    this.spark = spark;
    this.jobGroup = jobGroup;
    this.view = view;
    this.inputBytes = inputBytes;
    this.writtenId = sink.written().id();
    this.skippedId = sink.skippedNotNewer().id();
  }

  /**
   * Starts logging the progress of the jobs of {@code jobGroup}, which run {@code plan} into the
   * partition sinks counting into {@code sink}; {@link #close} stops it.
   */
  static RunProgress start(
      SparkContext spark, String jobGroup, String view, Dataset<?> plan, SinkCounters sink) {
    return start(spark, jobGroup, view, plan, sink, INTERVAL);
  }

  /**
   * As {@link #start(SparkContext, String, String, Dataset, SinkCounters)}, every {@code interval}.
   */
  static RunProgress start(
      SparkContext spark,
      String jobGroup,
      String view,
      Dataset<?> plan,
      SinkCounters sink,
      Duration interval) {
    RunProgress progress = new RunProgress(spark, jobGroup, view, ProgressSnapshot.UNKNOWN, sink);
    spark.addSparkListener(progress);
    progress.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "sluice-progress");
              thread.setDaemon(true);
              return thread;
            });
    // Planning the input's size takes the driver a moment: on the timer thread, not in the action's
    // way. Until it is known, progress counts tasks.
    progress.timer.execute(() -> progress.inputBytes = inputSize(plan));
    progress.timer.scheduleAtFixedRate(
        progress::log, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return progress;
  }

  private static long inputSize(Dataset<?> plan) {
    try {
      return InputSize.of(plan);
    } catch (Exception e) { // Spark's Scala code throws checked exceptions undeclared
      LOG.debug("Cannot tell the size of the input; progress counts tasks", e);
      return ProgressSnapshot.UNKNOWN;
    }
  }

  @Override
  public synchronized void onStageSubmitted(SparkListenerStageSubmitted event) {
    if (event.properties() == null
        || !jobGroup.equals(event.properties().getProperty("spark.jobGroup.id"))) {
      return;
    }
    StageInfo info = event.stageInfo();
    long submitted =
        info.submissionTime().isDefined()
            ? (Long) info.submissionTime().get()
            : System.currentTimeMillis();
    if (info.shuffleDepId().isDefined()) {
      readStageTasks.merge(info.stageId(), info.numTasks(), Math::max);
      readStarted = readStarted < 0 ? submitted : Math.min(readStarted, submitted);
    } else {
      writeStageTasks.merge(info.stageId(), info.numTasks(), Math::max);
      writeStarted = writeStarted < 0 ? submitted : Math.min(writeStarted, submitted);
    }
    donePartitions.computeIfAbsent(info.stageId(), stage -> new HashSet<>());
  }

  @Override
  public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate event) {
    for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task :
        JavaConverters.seqAsJavaList(event.accumUpdates())) {
      long taskId = (Long) task._1();
      if (!donePartitions.containsKey((Integer) task._2()) || ended.contains(taskId)) {
        continue;
      }
      long[] counts = new long[4];
      for (AccumulableInfo info : JavaConverters.seqAsJavaList(task._4())) {
        count(info, counts);
      }
      running.put(taskId, counts);
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd event) {
    Set<Integer> done = donePartitions.get(event.stageId());
    if (done == null) {
      return;
    }
    long taskId = event.taskInfo().taskId();
    running.remove(taskId);
    ended.add(taskId);
    if (!event.taskInfo().successful() || event.taskMetrics() == null) {
      return;
    }
    int partition = event.taskInfo().partitionId();
    done.add(partition);
    long[] counts = new long[4];
    counts[BYTES] = event.taskMetrics().inputMetrics().bytesRead();
    counts[RECORDS] = event.taskMetrics().inputMetrics().recordsRead();
    for (AccumulableInfo info : JavaConverters.seqAsJavaList(event.taskInfo().accumulables())) {
      if (info.id() == writtenId || info.id() == skippedId) {
        count(info, counts);
      }
    }
    // One entry per stage and partition: a partition that succeeded twice counts once.
    finished.put(((long) event.stageId() << 32) | partition, counts);
  }

  /** Adds what {@code info} updates of the counts kept per task. */
  private void count(AccumulableInfo info, long[] counts) {
    if (info.update().isEmpty() || !(info.update().get() instanceof Long value)) {
      return;
    }
    if (info.id() == writtenId) {
      counts[WRITTEN] = value;
    } else if (info.id() == skippedId) {
      counts[SKIPPED] = value;
    } else if (info.name().isDefined() && BYTES_READ.equals(info.name().get())) {
      counts[BYTES] = value;
    } else if (info.name().isDefined() && RECORDS_READ.equals(info.name().get())) {
      counts[RECORDS] = value;
    }
  }

  /** Where the run stands now. */
  ProgressSnapshot snapshot() {
    return snapshot(System.currentTimeMillis());
  }

  synchronized ProgressSnapshot snapshot(long nowMillis) {
    long[] totals = new long[4];
    for (Map<Long, long[]> tasks : java.util.List.of(finished, running)) {
      for (long[] counts : tasks.values()) {
        for (int i = 0; i < totals.length; i++) {
          totals[i] += counts[i];
        }
      }
    }
    Phase phase =
        writeStarted >= 0 ? Phase.WRITING : readStarted >= 0 ? Phase.READING : Phase.STARTING;
    long phaseStarted =
        switch (phase) {
          case STARTING -> nowMillis;
          case READING -> readStarted;
          case WRITING -> writeStarted;
        };
    return new ProgressSnapshot(
        phase,
        Math.max(0, nowMillis - phaseStarted),
        totals[BYTES],
        inputBytes,
        totals[RECORDS],
        tasksDone(readStageTasks),
        tasks(readStageTasks),
        totals[WRITTEN],
        totals[SKIPPED],
        tasksDone(writeStageTasks),
        tasks(writeStageTasks));
  }

  private int tasksDone(Map<Integer, Integer> stages) {
    int done = 0;
    for (Map.Entry<Integer, Integer> stage : stages.entrySet()) {
      done += Math.min(stage.getValue(), donePartitions.get(stage.getKey()).size());
    }
    return done;
  }

  private static int tasks(Map<Integer, Integer> stages) {
    return stages.values().stream().mapToInt(Integer::intValue).sum();
  }

  private void log() {
    try {
      LOG.info("Materializing {}: {}", view, snapshot().describe());
    } catch (RuntimeException e) { // a failed line must not stop the timer's next ones
      LOG.warn("Cannot log the progress of {}", view, e);
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    spark.removeSparkListener(this);
  }
}
