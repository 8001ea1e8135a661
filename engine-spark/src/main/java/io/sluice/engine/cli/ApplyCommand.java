package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.ExitCodes;
import io.sluice.registry.DefinitionsFile;
import io.sluice.registry.SqlRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Option(
      names = "--config",
      defaultValue = "feature_store.yaml",
      description = "Feast feature_store.yaml (default: ${DEFAULT-VALUE})")
  Path config;

  @Option(
      names = "--definitions",
      required = true,
      description = "YAML file with entities, data_sources and feature_views")
  Path definitions;

  @Override
  public Integer call() {
    ObjectNode summary = new ObjectMapper().createObjectNode().put("command", "apply");
    int exitCode;
    try {
      RepoConfig repo = CommandSupport.loadConfig(config);
      try (SqlRegistry registry = CommandSupport.openRegistry(repo)) {
        DefinitionsFile applied = registry.apply(repo.project(), definitions);
        summary.put("project", repo.project());
        summary.put("status", "SUCCEEDED");
        summary.putPOJO("entities", applied.entities().stream().map(e -> e.name()).toList());
        summary.putPOJO("data_sources", applied.dataSources().stream().map(s -> s.name()).toList());
        summary.putPOJO(
            "feature_views", applied.featureViews().stream().map(v -> v.name()).toList());
        exitCode = ExitCodes.SUCCESS;
      }
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      exitCode = ExitCodes.of(e);
      summary.put("status", "FAILED").put("error", ExitCodes.message(e));
      spec.commandLine().getErr().println("sluice: error: " + ExitCodes.message(e));
    }
    summary.put("exit_code", exitCode);
    spec.commandLine().getOut().println(summary);
    spec.commandLine().getOut().flush();
    return exitCode;
  }
}
