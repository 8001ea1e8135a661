package io.sluice.engine.run;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.StageInfo;

/**
 * How long the shuffle map stages of one run's job group took (reading the window and reducing to
 * the latest row per entity), from their first submission to the last completion; the rest of the
 * write action is the stage running the partition sinks. Driver side.
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

  synchronized double readReduceSeconds() {
    return lastShuffleCompleted == Long.MIN_VALUE
        ? 0
        : (lastShuffleCompleted - firstSubmitted) / 1000.0;
  }
}
