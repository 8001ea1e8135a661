package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.common.json.Json;
import io.sluice.registry.MaterializationRun;
import io.sluice.registry.RunStats;
import io.sluice.registry.TimeInterval;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The JSON shapes of what the registry holds, shared by the commands that print it: an interval
 * ({@code start}, {@code end}) and a run of {@code sluice_materialization_runs}, with the field
 * names of the run report.
 */
final class RegistryJson {
  private RegistryJson() {}

  static ObjectNode interval(TimeInterval interval) {
    return Json.MAPPER
        .createObjectNode()
        .put("start", interval.start().toString())
        .put("end", interval.end().toString());
  }

  static ObjectNode run(MaterializationRun run) {
    RunStats stats = run.stats();
    ObjectNode json =
        Json.MAPPER
            .createObjectNode()
            .put("run_id", run.runId())
            .put("feature_view", run.featureView())
            .put("status", run.status().name())
            .put("start", run.window().start().toString())
            .put("end", run.window().end().toString())
            .put("started_at", run.startedAt().toString())
            .put("finished_at", run.finishedAt() == null ? null : run.finishedAt().toString())
            .put("rows_read", stats.rowsRead())
            .put("rows_dropped", stats.rowsDropped())
            .put("entities", stats.entities())
            .put("rows_written", stats.rowsWritten())
            .put("rows_skipped_not_newer", stats.rowsSkippedNotNewer())
            .put("partitions", stats.partitions());
    ObjectNode seconds = json.putObject("seconds");
    for (Map.Entry<String, Double> stage : stats.stageSeconds().entrySet()) {
      seconds.put(stage.getKey(), stage.getValue());
    }
    return json.put("error", run.error())
        .put("host", run.host())
        .put("spark_application_id", run.sparkApplicationId())
        .put("phase", run.phase() == null ? null : run.phase().name())
        .put("stage", run.stage());
  }

  /** An instant for a table: whole seconds, ISO-8601. */
  static String shortTime(String instant) {
    return instant == null
        ? null
        : Instant.parse(instant).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
