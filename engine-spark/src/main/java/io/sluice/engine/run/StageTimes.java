package io.sluice.engine.run;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.StageInfo;

/**
 * When the shuffle map stages of one run's job group (reading the window and reducing to the latest
 * row per entity) completed; from the action's start to then is reading and reducing, the rest of
 * the write action is the stage running the partition sinks. Driver side.
 */
final class StageTimes extends SparkListener {
  private final String jobGroup;
  private final Set<Integer> stages = new HashSet<>();
  private long firstSubmitted = Long.MAX_VALUE;
  private long lastShuffleCompleted = Long.MIN_VALUE;

  StageTimes(String jobGroup) {
    this.jobGroup = jobGroup;
  }

  @Override
  public synchronized void onStageSubmitted(SparkListenerStageSubmitted event) {
    if (event.properties() != null
        && jobGroup.equals(event.properties().getProperty("spark.jobGroup.id"))) {
      StageInfo info = event.stageInfo();
      stages.add(info.stageId());
      if (info.submissionTime().isDefined()) {
        firstSubmitted = Math.min(firstSubmitted, (Long) info.submissionTime().get());
      }
    }
  }

  @Override
  public synchronized void onStageCompleted(SparkListenerStageCompleted event) {
    StageInfo info = event.stageInfo();
    if (!stages.contains(info.stageId())
        || info.submissionTime().isEmpty()
        || info.completionTime().isEmpty()) {
      return;
    }
    long submitted = (Long) info.submissionTime().get();
    long completed = (Long) info.completionTime().get();
    firstSubmitted = Math.min(firstSubmitted, submitted);
    if (info.shuffleDepId().isDefined()) {
      lastShuffleCompleted = Math.max(lastShuffleCompleted, completed);
    }
  }

  /**
   * Seconds from {@code actionStartedMillis} (epoch milliseconds) to the last shuffle map stage's
   * completion: planning the read stages and generating their code included, as they are part of
   * reading; 0 when the job had no shuffle.
   */
  synchronized double readReduceSeconds(long actionStartedMillis) {
    return lastShuffleCompleted == Long.MIN_VALUE
        ? 0
        : Math.max(0, lastShuffleCompleted - Math.min(actionStartedMillis, firstSubmitted))
            / 1000.0;
  }
}
