package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.config.BatchEngineConfig;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.ExitCodes;
import io.sluice.engine.run.Materialization;
import io.sluice.engine.run.MaterializationFailedException;
import io.sluice.engine.run.RunReport;
import io.sluice.registry.SqlRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;

/** What the commands share: loading config, opening the registry and Spark, printing results. */
final class CommandSupport {
  private static final Logger LOG = LoggerFactory.getLogger(CommandSupport.class);

  private CommandSupport() {}

  static RepoConfig loadConfig(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidUsageException(
          "Cannot read config "
              + file.toAbsolutePath()
              + ": no such file; pass --config <path to feature_store.yaml>");
    }
    return RepoConfig.load(file);
  }

  static SqlRegistry openRegistry(RepoConfig config) {
    SqlRegistry registry = SqlRegistry.open(config.registry());
    try {
      registry.ensureSchema();
      return registry;
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  /**
   * The Spark session: spark-submit's settings win; without a master (a plain {@code java} launch)
   * it runs locally on every core. {@code batch_engine.spark_conf} is applied on top.
   */
  static SparkSession spark(String appName, BatchEngineConfig engine) {
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    for (Map.Entry<String, String> setting : engine.sparkConf().entrySet()) {
      conf.set(setting.getKey(), setting.getValue());
    }
    conf.set("spark.sql.session.timeZone", "UTC");
    conf.set("spark.sql.datetime.java8API.enabled", "true");
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /**
   * Prints a report as the last line on stdout, writes it to {@code reportFile} when given, and
   * returns its exit code.
   */
  static int finish(RunReport report, Path reportFile, PrintWriter out, PrintWriter err) {
    String json = report.toJson();
    if (reportFile != null) {
      try {
        Path parent = reportFile.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(reportFile, json + System.lineSeparator());
      } catch (IOException e) {
        err.println("sluice: warning: cannot write report to " + reportFile + ": " + e);
      }
    }
    if (report.error() != null) {
      err.println("sluice: error: " + report.error());
    }
    out.println(json);
    out.flush();
    return report.exitCode();
  }

  /** One materialization, given a ready {@link Materialization}. */
  @FunctionalInterface
  interface RunBody {
    RunReport run(Materialization materialization) throws Exception;
  }

  /**
   * Runs a materializing command: checks its arguments ({@code validate}), loads the config, opens
   * the registry and Spark, runs {@code body}, and prints the report (also on failure). Returns the
   * report's exit code.
   */
  static int materialize(
      CommandSpec spec,
      String command,
      RepoOptions repo,
      String featureView,
      RepoOptions.Run run,
      Runnable validate,
      RunBody body) {
    String project = null;
    RunReport report;
    try {
      validate.run();
      RepoConfig config = loadConfig(repo.config);
      project = config.project();
      try (SqlRegistry registry = openRegistry(config)) {
        SparkSession spark = spark("sluice " + command + " " + featureView, config.batchEngine());
        report = body.run(new Materialization(spark, config, registry));
      }
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      report = failure(command, project, featureView, e);
    }
    return finish(report, run.report, spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** What a JSON-printing command does: fills its result, or throws. */
  @FunctionalInterface
  interface JsonBody {
    void fill(ObjectNode result) throws Exception;
  }

  /**
   * Runs a command that prints one JSON object as its last line: {@code status}, {@code exit_code}
   * and, on failure, {@code error} are added (the error also goes to stderr). Returns the exit
   * code.
   */
  static int printJson(CommandSpec spec, ObjectNode result, JsonBody body) {
    int exitCode;
    try {
      body.fill(result);
      result.put("status", RunReport.SUCCEEDED);
      exitCode = ExitCodes.SUCCESS;
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      exitCode = ExitCodes.of(e);
      if (exitCode == ExitCodes.UNEXPECTED) {
        LOG.error("Unexpected failure", e);
      }
      result.put("status", RunReport.FAILED).put("error", ExitCodes.message(e));
      spec.commandLine().getErr().println("sluice: error: " + ExitCodes.message(e));
    }
    result.put("exit_code", exitCode);
    spec.commandLine().getOut().println(result);
    spec.commandLine().getOut().flush();
    return exitCode;
  }

  /** The report of a run that failed, or of a command that failed before its run started. */
  static RunReport failure(String command, String project, String featureView, Throwable e) {
    if (e instanceof MaterializationFailedException failed) {
      return failed.report();
    }
    int exitCode = ExitCodes.of(e);
    if (exitCode == ExitCodes.UNEXPECTED) {
      LOG.error("Unexpected failure of {}", command, e);
    }
    return new RunReport(
        null,
        command,
        project,
        featureView,
        null,
        null,
        null,
        RunReport.FAILED,
        exitCode,
        0,
        null,
        0,
        0,
        0,
        0,
        null,
        null,
        ExitCodes.message(e));
  }
}
