package io.sluice.engine.run;

import static java.util.Objects.requireNonNull;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * Driver side: how a {@link RunStop} cancels a run's Spark jobs. {@link #run} (the stop's cancel
 * action) cancels every active job, and while registered as a listener it cancels each job that
 * starts after the stop: {@link SparkContext#cancelAllJobs} only reaches the jobs already active,
 * and a job submitted just after it would otherwise run to its end. The run's thread then gets the
 * job's failure and takes its usual failure path. Tasks are killed without interrupting their
 * threads (the run's job group says so), so a task ends at its next row or after the batch it is
 * writing; the driver does not wait for that.
 */
final class StoppedRunJobs extends SparkListener implements Runnable, AutoCloseable {
  private final SparkContext spark;
  private final RunStop stop;

  private StoppedRunJobs(SparkContext spark, RunStop stop) {
    this.spark = requireNonNull(spark, "spark is null");
    this.stop = requireNonNull(stop, "stop is null");
  }

  /** Registers the listener for a run of {@code stop} on {@code spark}, until closed. */
  static StoppedRunJobs register(SparkContext spark, RunStop stop) {
    StoppedRunJobs jobs = new StoppedRunJobs(spark, stop);
    spark.addSparkListener(jobs);
    return jobs;
  }

  /** Cancels the active jobs; called by {@link RunStop#request} on the signal's thread. */
  @Override
  public void run() {
    spark.cancelAllJobs();
  }

  @Override
  public void onJobStart(SparkListenerJobStart jobStart) {
    if (stop.stoppedBy().isPresent()) {
      spark.cancelJob(jobStart.jobId());
    }
  }

  @Override
  public void close() {
    spark.removeSparkListener(this);
  }
}
