package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.ExitCodes;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice intervals}: the recorded materialization intervals of a feature view, as JSON. */
@Command(
    name = "intervals",
    mixinStandardHelpOptions = true,
    description = "Prints the recorded, coalesced materialization intervals of a view as JSON.")
final class IntervalsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      defaultValue = "feature_store.yaml",
      description = "Feast feature_store.yaml (default: ${DEFAULT-VALUE})")
  Path config;

  @Option(names = "--feature-view", required = true, description = "Feature view")
  String featureView;

  @Override
  public Integer call() {
    ObjectNode result = new ObjectMapper().createObjectNode().put("feature_view", featureView);
    int exitCode;
    try {
      RepoConfig repo = CommandSupport.loadConfig(config);
      try (SqlRegistry registry = CommandSupport.openRegistry(repo)) {
        ArrayNode intervals = result.put("project", repo.project()).putArray("intervals");
        for (TimeInterval interval : registry.intervals(repo.project(), featureView)) {
          intervals
              .addObject()
              .put("start", interval.start().toString())
              .put("end", interval.end().toString());
        }
        exitCode = ExitCodes.SUCCESS;
      }
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      exitCode = ExitCodes.of(e);
      result.put("error", ExitCodes.message(e));
      spec.commandLine().getErr().println("sluice: error: " + ExitCodes.message(e));
    }
    result.put("exit_code", exitCode);
    spec.commandLine().getOut().println(result);
    spec.commandLine().getOut().flush();
    return exitCode;
  }
}
