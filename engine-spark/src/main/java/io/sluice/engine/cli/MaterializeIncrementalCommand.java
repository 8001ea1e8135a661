package io.sluice.engine.cli;

import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.Materialization;
import io.sluice.engine.run.RunReport;
import io.sluice.online.WriteMode;
import io.sluice.registry.SqlRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
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

  @Option(
      names = "--config",
      defaultValue = "feature_store.yaml",
      description = "Feast feature_store.yaml (default: ${DEFAULT-VALUE})")
  Path config;

  @Option(names = "--feature-view", required = true, description = "Feature view to materialize")
  String featureView;

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
      java.time.Instant to = Timestamps.parse("--end", end);
      RepoConfig repo = CommandSupport.loadConfig(config);
      project = repo.project();
      try (SqlRegistry registry = CommandSupport.openRegistry(repo)) {
        SparkSession spark =
            CommandSupport.spark(
                "sluice materialize-incremental " + featureView, repo.batchEngine());
        result =
            new Materialization(spark, repo, registry)
                .materializeIncremental(
                    featureView, to, force ? WriteMode.FORCE : WriteMode.NEWER_ONLY);
      }
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      result = CommandSupport.failure("materialize-incremental", project, featureView, e);
    }
    return CommandSupport.finish(
        result, report, spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
