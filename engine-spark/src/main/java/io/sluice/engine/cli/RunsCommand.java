package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.common.json.Json;
import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.config.RepoConfig;
import io.sluice.registry.FeatureViewNotFoundException;
import io.sluice.registry.MaterializationRun;
import io.sluice.registry.SqlRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice runs}: the run history Sluice keeps in the registry, newest first. */
@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description =
        "Lists the latest materialization runs (table sluice_materialization_runs), newest first:"
            + " status, window, counts, seconds, host, Spark application and error. A table, or"
            + " --json.")
final class RunsCommand implements Callable<Integer> {
  /** How many runs are listed without {@code --limit}. */
  static final int DEFAULT_LIMIT = 20;

  /** How much of an error a table shows; {@code --json} has all of it. */
  private static final int TABLE_ERROR_CHARS = 100;

  @Spec CommandSpec spec;

  @Mixin RepoOptions repo;

  @Option(names = "--feature-view", description = "Only the runs of this feature view")
  String featureView;

  @Option(
      names = "--limit",
      defaultValue = "" + DEFAULT_LIMIT,
      description = "How many runs, newest first (default: ${DEFAULT-VALUE})")
  int limit;

  @Mixin RepoOptions.Format format;

  @Override
  public Integer call() {
    ObjectNode result = Json.MAPPER.createObjectNode().put("command", "runs");
    if (featureView != null) {
      result.put("feature_view", featureView);
    }
    return CommandOutput.jsonOrText(
        spec,
        format,
        result,
        filled -> {
          if (limit < 1) {
            throw new InvalidUsageException("Invalid --limit " + limit + ": must be >= 1");
          }
          RepoLoader.withRegistry(repo.config, this::fill).fill(filled);
        },
        RunsCommand::print);
  }

  private void fill(ObjectNode filled, RepoConfig config, SqlRegistry registry) {
    filled.put("project", config.project());
    List<MaterializationRun> runs;
    if (featureView == null) {
      runs = registry.recentRuns(config.project(), limit);
    } else {
      List<String> known = registry.featureViewNames(config.project());
      if (!known.contains(featureView)) { // lists the known ones, whatever their sources
        throw new FeatureViewNotFoundException(config.project(), featureView, known);
      }
      runs = registry.recentRuns(config.project(), featureView, limit);
    }
    ArrayNode list = filled.putArray("runs");
    runs.forEach(run -> list.add(RegistryJson.run(run)));
  }

  private static void print(ObjectNode result, PrintWriter out) {
    JsonNode runs = result.get("runs");
    if (runs.isEmpty()) {
      out.println(
          "No runs recorded"
              + (result.has("feature_view")
                  ? " of feature view " + result.get("feature_view").asText()
                  : "")
              + " in project "
              + result.get("project").asText());
      return;
    }
    TextTable table =
        new TextTable(
            "STARTED",
            "VIEW",
            "STATUS",
            "WINDOW",
            "READ",
            "WRITTEN",
            "SKIPPED",
            "SECONDS",
            "HOST",
            "APPLICATION",
            "ERROR");
    for (JsonNode run : runs) {
      table.row(
          RegistryJson.shortTime(run.get("started_at").asText()),
          run.get("feature_view").asText(),
          run.get("status").asText(),
          "[" + run.get("start").asText() + ", " + run.get("end").asText() + ")",
          run.get("rows_read").asLong(),
          run.get("rows_written").asLong(),
          run.get("rows_skipped_not_newer").asLong(),
          seconds(run),
          text(run, "host"),
          text(run, "spark_application_id"),
          shortError(text(run, "error")));
    }
    table.print(out);
  }

  /** From the run's start to its end as the run table records them; none while it runs. */
  private static String seconds(JsonNode run) {
    String finished = text(run, "finished_at");
    if (finished == null) {
      return null;
    }
    Duration took =
        Duration.between(Instant.parse(run.get("started_at").asText()), Instant.parse(finished));
    return String.format(Locale.ROOT, "%.1f", took.toNanos() / 1e9);
  }

  private static String text(JsonNode run, String field) {
    JsonNode value = run.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static String shortError(String error) {
    if (error == null) {
      return null;
    }
    String line = error.strip().lines().findFirst().orElse("");
    return line.length() <= TABLE_ERROR_CHARS
        ? line
        : line.substring(0, TABLE_ERROR_CHARS - 1) + "…";
  }
}
