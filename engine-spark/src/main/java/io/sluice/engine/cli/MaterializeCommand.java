package io.sluice.engine.cli;

import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.Materialization;
import io.sluice.engine.run.RunReport;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin RepoOptions repo;

  @Mixin RepoOptions.View view;

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

  @Mixin RepoOptions.Run run;

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
      RepoConfig config = CommandSupport.loadConfig(repo.config);
      project = config.project();
      try (SqlRegistry registry = CommandSupport.openRegistry(config)) {
        SparkSession spark =
            CommandSupport.spark("sluice materialize " + view.name, config.batchEngine());
        result =
            new Materialization(spark, config, registry)
                .materialize(view.name, new TimeInterval(from, to), run.mode());
      }
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      result = CommandSupport.failure("materialize", project, view.name, e);
    }
    return CommandSupport.finish(
        result, run.report, spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
