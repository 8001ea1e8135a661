package io.sluice.engine.cli;

import io.sluice.common.json.Json;
import io.sluice.registry.DefinitionsFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice apply}: writes entity, source and feature view definitions to the registry. */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description =
        "Writes the definitions in a YAML file to the Feast SQL registry (creating its tables if"
            + " missing), keeping recorded intervals. Prints a one-line JSON summary.")
final class ApplyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RepoOptions repo;

  @Option(
      names = "--definitions",
      required = true,
      description = "YAML file with entities, data_sources and feature_views")
  Path definitions;

  @Override
  public Integer call() {
    return CommandOutput.json(
        spec,
        Json.MAPPER.createObjectNode().put("command", "apply"),
        RepoLoader.withRegistry(
            repo.config,
            (result, config, registry) -> {
              DefinitionsFile applied = registry.apply(config.project(), definitions);
              result.put("project", config.project());
              result.putPOJO("entities", applied.entities().stream().map(e -> e.name()).toList());
              result.putPOJO(
                  "data_sources", applied.dataSources().stream().map(s -> s.name()).toList());
              result.putPOJO(
                  "feature_views", applied.featureViews().stream().map(v -> v.name()).toList());
            }));
  }
}
