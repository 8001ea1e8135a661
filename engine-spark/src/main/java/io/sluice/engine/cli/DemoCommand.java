package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.common.json.Json;
import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.demo.DemoData;
import io.sluice.engine.run.Materialization;
import io.sluice.engine.run.RunReport;
import io.sluice.online.WriteMode;
import io.sluice.online.stores.OnlineStores;
import io.sluice.registry.FeatureViewDefinition;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: the whole loop on the embedded default, no server. Generates two days of
 * driver statistics as Parquet, applies the demo definitions to a SQLite registry, materializes two
 * consecutive daily windows into the SQLite online store, and reads a few drivers back.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs the demo in conf/demo: generate data, apply, materialize two windows into the"
            + " SQLite online store, read a few entities back.")
final class DemoCommand implements Callable<Integer> {
  static final String VIEW = "driver_hourly_stats";
  static final Instant DAY1 = Instant.parse("2024-05-01T00:00:00Z");
  static final int DRIVERS = 500;
  static final int HOURS = 48;

  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      defaultValue = "${env:SLUICE_HOME:-.}/conf/demo",
      description =
          "The demo's folder, with feature_store.yaml and definitions.yaml"
              + " (default: ${DEFAULT-VALUE})")
  Path dir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    return CommandOutput.json(
        spec, Json.MAPPER.createObjectNode().put("command", "demo"), summary -> run(out, summary));
  }

  /** The demo's folder must hold its two files; the message is about the folder, not --config. */
  private void checkFolder() {
    Path folder = dir.toAbsolutePath().normalize();
    String hint =
        "; pass --dir <the demo's folder, with feature_store.yaml and definitions.yaml>, such as"
            + " conf/demo in Sluice's source tree";
    if (!Files.isDirectory(folder)) {
      throw new InvalidUsageException(
          "Cannot run the demo in " + folder + ": no such folder" + hint);
    }
    for (String file : List.of("feature_store.yaml", "definitions.yaml")) {
      if (!Files.isRegularFile(folder.resolve(file))) {
        throw new InvalidUsageException(
            "Cannot run the demo in " + folder + ": it has no " + file + hint);
      }
    }
  }

  private void run(PrintWriter out, ObjectNode summary) throws Exception {
    ArrayNode runs = summary.putArray("runs");
    checkFolder();
    RepoConfig repo = RepoLoader.loadConfig(dir.resolve("feature_store.yaml"));
    Path data = dir.resolve("data/driver_stats.parquet").toAbsolutePath().normalize();
    SparkSession spark = SparkSessions.forCommand("sluice demo", repo.batchEngine());
    long rows = DemoData.write(spark, data, DAY1, HOURS, DRIVERS);
    out.printf(
        "Generated %d rows of driver statistics (%d drivers, %d hours) in %s%n",
        rows, DRIVERS, HOURS, data);
    try (SqlRegistry registry = RepoLoader.openRegistry(repo)) {
      registry.apply(repo.project(), dir.resolve("definitions.yaml"));
      out.printf(
          "Applied %s to the registry %s%n",
          dir.resolve("definitions.yaml"), repo.registry().describe());
      Materialization materialization = new Materialization(spark, repo, registry);
      FeatureViewDefinition demoView = Materialization.materializableView(repo, registry, VIEW);
      for (int day = 0; day < 2; day++) {
        Instant start = DAY1.plus(day, ChronoUnit.DAYS);
        RunReport report =
            materialization.materialize(
                demoView,
                new TimeInterval(start, start.plus(1, ChronoUnit.DAYS)),
                WriteMode.NEWER_ONLY);
        out.printf(
            "Materialized %s for [%s, %s): %d rows read, %d dropped, %d written, %d skipped as"
                + " not newer, in %.1f s%n",
            VIEW,
            report.start(),
            report.end(),
            report.rowsRead(),
            report.rowsDroppedTotal(),
            report.rowsWritten(),
            report.rowsSkippedNotNewer(),
            report.seconds().get("total"));
        out.println(report.toJson());
        runs.add(Json.MAPPER.readTree(report.toJson()));
      }
      FeatureViewDefinition view = registry.featureView(repo.project(), VIEW);
      out.printf("Recorded intervals of %s: %s%n", VIEW, view.materializationIntervals());
      List<List<Object>> drivers =
          List.of(
              List.of(DemoData.FIRST_DRIVER),
              List.of(DemoData.FIRST_DRIVER + 1),
              List.of(DemoData.FIRST_DRIVER + 2));
      ArrayNode values = ReadCommand.read(repo, view, drivers);
      out.printf(
          "Read back from the online store (%s):%n", OnlineStores.location(repo.onlineStore()));
      for (JsonNode entity : values) {
        out.printf(
            "  %s  event_timestamp=%s  %s%n",
            entity.get("entity"), entity.path("event_timestamp").asText("-"), entity.get("values"));
      }
      summary.set("online_values", values);
    }
  }
}
