package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.common.feast.Column;
import io.sluice.common.json.Json;
import io.sluice.registry.FeatureViewDefinition;
import io.sluice.registry.MaterializationRun;
import io.sluice.registry.RegistryConfigurationException;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sluice views}: the project's feature views, one line each, with what is recorded of them:
 * the coalesced intervals (their coverage and the gaps between them), Feast's state of the view,
 * and the last run of Sluice's run history.
 */
@Command(
    name = "views",
    mixinStandardHelpOptions = true,
    description =
        "Lists the project's feature views: online flag, entities, number of features, recorded"
            + " coverage and gaps, Feast's state and the last run. A table, or --json.")
final class ViewsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RepoOptions repo;

  @Mixin RepoOptions.Format format;

  @Override
  public Integer call() {
    return CommandOutput.jsonOrText(
        spec,
        format,
        Json.MAPPER.createObjectNode().put("command", "views"),
        RepoLoader.withRegistry(
            repo.config,
            (result, config, registry) -> {
              result.put("project", config.project());
              ArrayNode views = result.putArray("feature_views");
              // One view at a time, so that a view Sluice cannot read (a BigQuery source, say)
              // is listed with the reason instead of failing the whole listing.
              for (String name : registry.featureViewNames(config.project())) {
                try {
                  views.add(view(registry, registry.featureView(config.project(), name)));
                } catch (RegistryConfigurationException e) {
                  views.add(unreadable(registry, config.project(), name, e.getMessage()));
                }
              }
            }),
        ViewsCommand::print);
  }

  private static ObjectNode view(SqlRegistry registry, FeatureViewDefinition view) {
    ObjectNode json =
        Json.MAPPER.createObjectNode().put("name", view.name()).put("online", view.online());
    ArrayNode entities = json.putArray("entities");
    view.entityNames().forEach(entities::add);
    ArrayNode joinKeys = json.putArray("join_keys");
    view.entityColumns().stream().map(Column::name).forEach(joinKeys::add);
    json.put("features", view.features().size());
    List<TimeInterval> intervals = view.materializationIntervals();
    ArrayNode recorded = json.putArray("intervals");
    intervals.forEach(interval -> recorded.add(RegistryJson.interval(interval)));
    if (intervals.isEmpty()) {
      json.putNull("coverage");
    } else {
      json.set(
          "coverage",
          RegistryJson.interval(
              new TimeInterval(
                  intervals.get(0).start(), intervals.get(intervals.size() - 1).end())));
    }
    // Intervals are coalesced, so each one after the first follows a gap.
    json.put("gaps", Math.max(0, intervals.size() - 1));
    json.put("state", view.state().name());
    lastRun(registry, view.project(), view.name(), json);
    return json;
  }

  private static ObjectNode unreadable(
      SqlRegistry registry, String project, String name, String problem) {
    ObjectNode json = Json.MAPPER.createObjectNode().put("name", name).put("problem", problem);
    lastRun(registry, project, name, json);
    return json;
  }

  private static void lastRun(SqlRegistry registry, String project, String name, ObjectNode json) {
    List<MaterializationRun> last = registry.recentRuns(project, name, 1);
    if (last.isEmpty()) {
      json.putNull("last_run");
    } else {
      json.set("last_run", RegistryJson.run(last.get(0)));
    }
  }

  private static void print(ObjectNode result, PrintWriter out) {
    JsonNode views = result.get("feature_views");
    if (views.isEmpty()) {
      out.println(
          "No feature views in project "
              + result.get("project").asText()
              + "; create them with `sluice apply` (or `feast apply`)");
      return;
    }
    TextTable table =
        new TextTable(
            "VIEW", "ONLINE", "ENTITIES", "FEATURES", "COVERAGE", "GAPS", "STATE", "LAST RUN");
    List<String> problems = new java.util.ArrayList<>();
    for (JsonNode view : views) {
      JsonNode run = view.get("last_run");
      String lastRun =
          run.isNull()
              ? null
              : run.get("status").asText()
                  + " "
                  + RegistryJson.shortTime(run.get("started_at").asText());
      if (view.has("problem")) {
        table.row(view.get("name").asText(), null, null, null, null, null, "UNREADABLE", lastRun);
        problems.add(view.get("name").asText() + ": " + view.get("problem").asText());
        continue;
      }
      JsonNode coverage = view.get("coverage");
      table.row(
          view.get("name").asText(),
          view.get("online").asBoolean() ? "yes" : "no",
          view.get("entities").isEmpty() ? null : join(view.get("entities")),
          view.get("features").asInt(),
          coverage.isNull()
              ? null
              : "[" + coverage.get("start").asText() + ", " + coverage.get("end").asText() + ")",
          view.get("gaps").asInt(),
          view.get("state").asText(),
          lastRun);
    }
    table.print(out);
    problems.forEach(problem -> out.println("UNREADABLE " + problem));
  }

  private static String join(JsonNode names) {
    StringBuilder joined = new StringBuilder();
    for (JsonNode name : names) {
      joined.append(joined.length() == 0 ? "" : ",").append(name.asText());
    }
    return joined.toString();
  }
}
