package io.sluice.engine.run;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.StageInfo;

/**
 * Splits the Spark time of one run into reading-and-reducing (shuffle map stages) and writing (the
 * result stage running the partition sink), from the stages of the run's job group. Driver side.
 */
final class StageTimes extends SparkListener {
  private final String jobGroup;
  private final Set<Integer> stages = new HashSet<>();
  private long firstSubmitted = Long.MAX_VALUE;
  private long lastShuffleCompleted = Long.MIN_VALUE;
  private long writeMillis;

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
    } else {
      writeMillis += completed - submitted;
    }
  }

  synchronized double readReduceSeconds() {
    return lastShuffleCompleted == Long.MIN_VALUE
        ? 0
        : (lastShuffleCompleted - firstSubmitted) / 1000.0;
  }

  synchronized double writeSeconds() {
    return writeMillis / 1000.0;
  }
}
