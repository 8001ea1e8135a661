package io.sluice.engine.cli;

import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.Materialization;
import io.sluice.engine.run.RunReport;
import io.sluice.online.WriteMode;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice materialize}: one feature view, one window {@code [start, end)}. */
@Command(
    name = "materialize",
    mixinStandardHelpOptions = true,
    description =
        "Writes the latest value per entity with an event time in [start, end) to the online"
            + " store, then records the interval. Prints a one-line JSON report last.")
final class MaterializeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      defaultValue = "feature_store.yaml",
      description = "Feast feature_store.yaml (default: ${DEFAULT-VALUE})")
  Path config;

  @Option(names = "--feature-view", required = true, description = "Feature view to materialize")
  String featureView;

  @Option(
      names = "--start",
      required = true,
      description = "Window start, inclusive (ISO-8601; UTC when no offset)")
  String start;

  @Option(
      names = "--end",
      required = true,
      description = "Window end, exclusive (ISO-8601; UTC when no offset)")
  String end;

  @Option(names = "--force", description = "Write even where the store holds newer values")
  boolean force;

  @Option(names = "--report", description = "Also write the JSON report to this file")
  Path report;

  @Override
  public Integer call() {
    String project = null;
    RunReport result;
    try {
      Instant from = Timestamps.parse("--start", start);
      Instant to = Timestamps.parse("--end", end);
      if (!from.isBefore(to)) {
        throw new InvalidUsageException(
            "Invalid window: --start "
                + from
                + " must be before --end "
                + to
                + " (the window is [start, end))");
      }
      RepoConfig repo = CommandSupport.loadConfig(config);
      project = repo.project();
      try (SqlRegistry registry = CommandSupport.openRegistry(repo)) {
        SparkSession spark =
            CommandSupport.spark("sluice materialize " + featureView, repo.batchEngine());
        result =
            new Materialization(spark, repo, registry)
                .materialize(
                    featureView,
                    new TimeInterval(from, to),
                    force ? WriteMode.FORCE : WriteMode.NEWER_ONLY);
      }
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      result = CommandSupport.failure("materialize", project, featureView, e);
    }
    return CommandSupport.finish(
        result, report, spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
