package io.sluice.engine.cli;

import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.Materialization;
import io.sluice.engine.run.RunReport;
import io.sluice.registry.SqlRegistry;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice materialize-incremental}: from the greatest recorded end up to {@code --end}. */
@Command(
    name = "materialize-incremental",
    mixinStandardHelpOptions = true,
    description =
        "Materializes from the greatest recorded interval end (or --end minus the view's ttl when"
            + " nothing is recorded; 52 weeks when it has none) up to --end.")
final class MaterializeIncrementalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RepoOptions repo;

  @Mixin RepoOptions.View view;

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
      java.time.Instant to = Timestamps.parse("--end", end);
      RepoConfig config = CommandSupport.loadConfig(repo.config);
      project = config.project();
      try (SqlRegistry registry = CommandSupport.openRegistry(config)) {
        SparkSession spark =
            CommandSupport.spark(
                "sluice materialize-incremental " + view.name, config.batchEngine());
        result =
            new Materialization(spark, config, registry)
                .materializeIncremental(view.name, to, run.mode());
      }
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      result = CommandSupport.failure("materialize-incremental", project, view.name, e);
    }
    return CommandSupport.finish(
        result, run.report, spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
