package io.sluice.engine.cli;

import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.ExitCodes;
import io.sluice.engine.run.Materialization;
import io.sluice.engine.run.MaterializationFailedException;
import io.sluice.engine.run.RunReport;
import io.sluice.engine.run.RunStop;
import io.sluice.registry.FeatureViewDefinition;
import io.sluice.registry.SqlRegistry;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Model.CommandSpec;

/** What the materializing commands share: from checked arguments to a printed report. */
final class MaterializeRunner {
  private MaterializeRunner() {}

  /** One materialization of {@code view}, given a ready {@link Materialization}. */
  @FunctionalInterface
  interface RunBody {
    RunReport run(Materialization materialization, FeatureViewDefinition view) throws Exception;
  }

  /** A report a command can give from the registry alone, before Spark starts; or empty. */
  @FunctionalInterface
  interface BeforeSpark {
    java.util.Optional<RunReport> report(RepoConfig config, FeatureViewDefinition view);
  }

  /**
   * {@link #run(CommandSpec, String, RepoOptions, String, RepoOptions.Run, Runnable, BeforeSpark,
   * RunBody)} with nothing to answer before Spark.
   */
  static int run(
      CommandSpec spec,
      String command,
      RepoOptions repo,
      String featureView,
      RepoOptions.Run run,
      Runnable validate,
      RunBody body) {
    return run(
        spec,
        command,
        repo,
        featureView,
        run,
        validate,
        (config, view) -> java.util.Optional.empty(),
        body);
  }

  /**
   * Runs a materializing command: checks its arguments ({@code validate}), loads the config, opens
   * the registry, looks the view up, asks {@code beforeSpark} for a report that needs no Spark (an
   * up-to-date incremental run), else starts Spark and runs {@code body}, and prints the report
   * (also on failure). Everything that can fail without Spark fails before Spark starts, which
   * takes seconds. SIGTERM or SIGINT meanwhile stops the run ({@link StopOnSignal}): it is marked
   * FAILED and its report printed, with the signal's exit code. Returns the report's exit code.
   */
  static int run(
      CommandSpec spec,
      String command,
      RepoOptions repo,
      String featureView,
      RepoOptions.Run run,
      Runnable validate,
      BeforeSpark beforeSpark,
      RunBody body) {
    RunStop stop = new RunStop();
    StopOnSignal signals = StopOnSignal.install(stop);
    try {
      return runAndReport(spec, command, repo, featureView, run, validate, beforeSpark, body, stop);
    } finally {
      signals.close(); // the report is printed: a signal waiting for it leaves the exit to main
    }
  }

  private static int runAndReport(
      CommandSpec spec,
      String command,
      RepoOptions repo,
      String featureView,
      RepoOptions.Run run,
      Runnable validate,
      BeforeSpark beforeSpark,
      RunBody body,
      RunStop stop) {
    String project = null;
    RunReport report;
    try {
      validate.run();
      RepoConfig config = RepoLoader.loadConfig(repo.config);
      project = config.project();
      try (SqlRegistry registry = RepoLoader.openRegistry(config)) {
        FeatureViewDefinition view =
            Materialization.materializableView(config, registry, featureView);
        java.util.Optional<RunReport> early = beforeSpark.report(config, view);
        if (early.isPresent()) {
          report = early.get();
        } else {
          SparkSession spark =
              SparkSessions.forCommand(
                  "sluice " + command + " " + featureView, config.batchEngine());
          report = body.run(new Materialization(spark, config, registry, stop), view);
        }
      }
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      report = failure(command, project, featureView, e);
    }
    return CommandOutput.report(
        report, run.report, spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** The report of a run that failed, or of a command that failed before its run started. */
  private static RunReport failure(
      String command, String project, String featureView, Throwable e) {
    if (e instanceof MaterializationFailedException failed) {
      return failed.report();
    }
    return RunReport.failedBeforeRun(
        command, project, featureView, CommandOutput.exitCode(command, e), ExitCodes.message(e));
  }
}
