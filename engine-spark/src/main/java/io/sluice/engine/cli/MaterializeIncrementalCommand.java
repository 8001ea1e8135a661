package io.sluice.engine.cli;

import io.sluice.engine.run.Materialization;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Mixin RepoOptions.End end;

  @Mixin RepoOptions.Run run;

  @Override
  public Integer call() {
    java.time.Instant[] to = new java.time.Instant[1];
    return MaterializeRunner.run(
        spec,
        "materialize-incremental",
        repo,
        view.name,
        run,
        () -> to[0] = end.instant(),
        // An hourly no-op answers from the registry, without starting Spark.
        (config, definition) -> Materialization.upToDate(config, definition, to[0], run.mode()),
        (materialization, definition) ->
            materialization.materializeIncremental(definition, to[0], run.mode(), !run.noResume));
  }
}
