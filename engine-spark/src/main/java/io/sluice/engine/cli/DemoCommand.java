package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.common.feast.Column;
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
 * consecutive daily windows into the SQLite online store, reads a few drivers back, and ends with
 * the commands to try next (Sluice's and Feast's).
 *
 * <p>A second demo in the same folder reuses the earlier state and says so first: nothing is ever
 * deleted (the folder's feature_store.yaml may point at any registry and store), so its runs report
 * every driver as skipped, not newer, as any re-run of a window does.
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
    Path config = dir.resolve("feature_store.yaml");
    // The demo runs as if started in its folder, as feast is: its relative registry URL resolves
    // there.
    RepoConfig repo = RepoConfig.load(config, dir);
    Path data = dir.resolve("data/driver_stats.parquet").toAbsolutePath().normalize();
    String store = OnlineStores.location(repo.onlineStore());
    try (SqlRegistry registry = RepoLoader.openRegistry(repo)) {
      List<TimeInterval> earlier = recordedIntervals(registry, repo.project());
      summary.put("reused_earlier_state", !earlier.isEmpty());
      if (!earlier.isEmpty()) {
        out.printf(
            "This folder holds an earlier demo's state: %s has the recorded intervals %s in the"
                + " registry %s.%nThe demo reuses it: the same rows are generated again, and its"
                + " runs write nothing new (every driver is skipped as not newer), as re-running"
                + " a window does.%nTo start afresh, delete the registry and the online store (%s)"
                + " first.%n",
            VIEW, earlier, repo.registry().describe(), store);
      }
      SparkSession spark = SparkSessions.forCommand("sluice demo", repo.batchEngine());
      long rows = DemoData.write(spark, data, DAY1, HOURS, DRIVERS);
      out.printf(
          "Generated %d rows of driver statistics (%d drivers, %d hours) in %s%n",
          rows, DRIVERS, HOURS, data);
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
      out.printf("Read back from the online store (%s):%n", store);
      for (JsonNode entity : values) {
        out.printf(
            "  %s  event_timestamp=%s  %s%n",
            entity.get("entity"), entity.path("event_timestamp").asText("-"), entity.get("values"));
      }
      summary.set("online_values", values);
      printNextSteps(out, config, view);
    }
  }

  /** The demo view's recorded intervals: an earlier demo ran here when there are any. */
  private static List<TimeInterval> recordedIntervals(SqlRegistry registry, String project) {
    return registry.featureViewNames(project).contains(VIEW)
        ? registry.featureView(project, VIEW).materializationIntervals()
        : List.of();
  }

  /** What to try next, as commands to copy: Sluice's, then Feast's read of the same store. */
  private static void printNextSteps(PrintWriter out, Path config, FeatureViewDefinition view) {
    String sluice = launcher();
    String yaml = shown(config);
    String joinKey = view.entityColumns().get(0).name();
    out.println();
    out.println("Next, try:");
    out.printf(
        "  %s read --config %s --feature-view %s --entity %s=%d%n",
        sluice, yaml, VIEW, joinKey, DemoData.FIRST_DRIVER);
    out.printf("  %s views --config %s%n", sluice, yaml);
    out.printf("  %s runs --config %s%n", sluice, yaml);
    out.printf(
        "  %s materialize-incremental --config %s --feature-view %s --end %s%n",
        sluice, yaml, VIEW, DAY1.plus(2, ChronoUnit.DAYS));
    out.println("    (UP_TO_DATE: both days are recorded; a later --end continues from there)");
    StringBuilder features = new StringBuilder();
    for (Column feature : view.features()) {
      features.append(features.length() == 0 ? "" : ", ").append('"');
      features.append(VIEW).append(':').append(feature.name()).append('"');
    }
    out.println();
    out.println(
        "Feast reads the same online store (Python, with feast installed). Feast resolves the"
            + " registry's sqlite:/// path against the working folder, so run it from the demo's"
            + " folder:");
    out.printf("  cd %s%n", shown(config.toAbsolutePath().getParent()));
    out.printf(
        "  python3 -c 'from feast import FeatureStore; store = FeatureStore(repo_path=\".\");"
            + " print(store.get_online_features(features=[%s], entity_rows=[{\"%s\": %d}])"
            + ".to_dict())'%n",
        features, joinKey, DemoData.FIRST_DRIVER);
  }

  /** How to call Sluice again: the launcher that set {@code SLUICE_HOME}, else {@code sluice}. */
  private static String launcher() {
    String home = System.getenv("SLUICE_HOME");
    if (home != null) {
      Path script = Path.of(home, "submit", "bin", "sluice");
      if (Files.isExecutable(script)) {
        return shown(script);
      }
    }
    return "sluice";
  }

  /** A path as it can be typed here: relative to the working folder when inside it. */
  private static String shown(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    Path here = Path.of("").toAbsolutePath();
    if (absolute.equals(here)) {
      return ".";
    }
    return absolute.startsWith(here) ? here.relativize(absolute).toString() : absolute.toString();
  }
}
