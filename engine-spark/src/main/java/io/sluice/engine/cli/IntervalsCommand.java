package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.sluice.common.json.Json;
import io.sluice.registry.TimeInterval;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice intervals}: the recorded materialization intervals of a feature view, as JSON. */
@Command(
    name = "intervals",
    mixinStandardHelpOptions = true,
    description = "Prints the recorded, coalesced materialization intervals of a view as JSON.")
final class IntervalsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RepoOptions repo;

  @Mixin RepoOptions.View view;

  @Override
  public Integer call() {
    return CommandOutput.json(
        spec,
        Json.MAPPER.createObjectNode().put("feature_view", view.name),
        RepoLoader.withRegistry(
            repo.config,
            (result, config, registry) -> {
              ArrayNode intervals = result.put("project", config.project()).putArray("intervals");
              for (TimeInterval interval : registry.intervals(config.project(), view.name)) {
                intervals.add(RegistryJson.interval(interval));
              }
            }));
  }
}
