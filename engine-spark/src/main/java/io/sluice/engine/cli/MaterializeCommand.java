package io.sluice.engine.cli;

import io.sluice.engine.InvalidUsageException;
import io.sluice.registry.TimeInterval;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Mixin RepoOptions.Start start;

  @Mixin RepoOptions.End end;

  @Mixin RepoOptions.Run run;

  @Override
  public Integer call() {
    Instant[] window = new Instant[2];
    return MaterializeRunner.run(
        spec,
        "materialize",
        repo,
        view.name,
        run,
        () -> {
          window[0] = start.instant();
          window[1] = end.instant();
          if (!window[0].isBefore(window[1])) {
            throw new InvalidUsageException(
                "Invalid window: --start "
                    + window[0]
                    + " must be before --end "
                    + window[1]
                    + " (the window is [start, end))");
          }
        },
        (materialization, definition) ->
            materialization.materialize(
                definition, new TimeInterval(window[0], window[1]), run.mode(), !run.noResume));
  }
}
