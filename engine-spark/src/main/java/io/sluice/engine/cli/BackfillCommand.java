package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.common.json.Json;
import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.backfill.Backfill;
import io.sluice.engine.backfill.Backfill.Status;
import io.sluice.engine.backfill.Backfill.WindowResult;
import io.sluice.engine.backfill.BackfillWindows;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.Materialization;
import io.sluice.engine.run.RunReport;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice backfill}: a range cut into windows, each materialized by its own Spark application
 * (a {@code materialize} child started through the launcher), several at once. This command starts
 * no Spark itself; {@code bin/sluice} runs it in a plain JVM.
 */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description =
        "Materializes [start, end) window by window, each window (cut at multiples of --step) its"
            + " own 'sluice materialize' Spark application, --parallel at once, newest first by"
            + " default; skips windows already recorded unless --force (which also writes as"
            + " materialize --force does); retries a window that"
            + " exits with 4; stops starting windows after one exits with 2 or 3. Prints a summary"
            + " table and a JSON report last; exits with the worst window's exit code.")
final class BackfillCommand implements Callable<Integer> {
  /** Where {@code bin/sluice} tells this command its own path. */
  static final String LAUNCHER_ENV = "SLUICE_LAUNCHER";

  @Spec CommandSpec spec;

  @Mixin RepoOptions repo;

  @Mixin RepoOptions.View view;

  @Mixin RepoOptions.Start start;

  @Mixin RepoOptions.End end;

  @Option(
      names = "--step",
      defaultValue = "1h",
      description =
          "Window length, windows cut at its multiples since the epoch (UTC): 1h, 30m, 1d, PT1H"
              + " (default: ${DEFAULT-VALUE})")
  String step;

  @Option(
      names = "--parallel",
      defaultValue = "1",
      description = "Windows running at once, each its own Spark application (default: 1)")
  int parallel;

  @Option(
      names = "--order",
      defaultValue = "newest-first",
      description = "newest-first (default: recent data first) or oldest-first")
  String order;

  @Option(
      names = "--max-attempts",
      defaultValue = "3",
      description = "Attempts per window while it exits with 4 (default: ${DEFAULT-VALUE})")
  int maxAttempts;

  @Option(
      names = "--retry-pause",
      defaultValue = "30s",
      description =
          "Pause before a window's first retry, doubling for each further one (default:"
              + " ${DEFAULT-VALUE})")
  String retryPause;

  @Option(
      names = "--stop-grace",
      defaultValue = "60s",
      description =
          "On Ctrl-C or SIGTERM: how long running windows get to stop after SIGTERM before they"
              + " are killed (default: ${DEFAULT-VALUE})")
  String stopGrace;

  @Option(
      names = "--log-dir",
      description =
          "Where each attempt's output goes (default: a new folder under the temp folder, named"
              + " in the report)")
  Path logDir;

  @Mixin RepoOptions.Run run;

  @Option(
      names = "--launcher",
      description =
          "The Sluice launcher each window runs through (default: $"
              + LAUNCHER_ENV
              + ", which bin/sluice sets)")
  String launcher;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    ObjectNode result =
        Json.MAPPER.createObjectNode().put("command", "backfill").put("feature_view", view.name);
    Backfill.Result outcome;
    try {
      Backfill backfill = prepare(result, err);
      CountDownLatch reported = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                backfill.stop();
                try {
                  // Let the summary be printed before the JVM goes.
                  reported.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "sluice-backfill-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        outcome = backfill.run();
        return finish(result, outcome);
      } finally {
        reported.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running
        }
      }
    } catch (Exception e) {
      return CommandOutput.json(
          spec,
          result,
          filled -> {
            throw e;
          });
    } finally {
      if (registry != null) {
        registry.close();
      }
    }
  }

  private SqlRegistry registry;

  /** Checks everything that can be checked before a window starts, and builds the backfill. */
  private Backfill prepare(ObjectNode result, PrintWriter err) throws IOException {
    Instant from = start.instant();
    Instant to = end.instant();
    Duration stepLength = BackfillWindows.parseStep(step);
    BackfillWindows.Order submitOrder = BackfillWindows.Order.parse(order);
    if (parallel < 1) {
      throw new InvalidUsageException("Invalid --parallel " + parallel + ": must be >= 1");
    }
    if (maxAttempts < 1) {
      throw new InvalidUsageException("Invalid --max-attempts " + maxAttempts + ": must be >= 1");
    }
    Duration pause = positive("--retry-pause", retryPause);
    Duration grace = positive("--stop-grace", stopGrace);
    List<TimeInterval> windows =
        BackfillWindows.ordered(BackfillWindows.split(from, to, stepLength), submitOrder);
    List<String> launcherCommand = List.of(launcherPath());

    RepoConfig config = RepoLoader.loadConfig(repo.config);
    result.put("project", config.project());
    registry = RepoLoader.openRegistry(config);
    Materialization.materializableView(config, registry, view.name); // exit 2 before any window
    String project = config.project();
    Path logs =
        logDir != null
            ? logDir
            : Files.createTempDirectory(
                "sluice-backfill-" + view.name + "-" + Backfill.fileTime(Instant.now()) + "-");
    result
        .put("start", from.toString())
        .put("end", to.toString())
        .put("step", stepLength.toString())
        .put("parallel", parallel)
        .put("order", submitOrder.option())
        .put("force", run.force)
        .put("log_dir", logs.toAbsolutePath().toString());
    err.println(
        "backfill: "
            + windows.size()
            + " window(s) of "
            + stepLength
            + " from "
            + from
            + " to "
            + to
            + ", "
            + parallel
            + " at once, "
            + submitOrder.option()
            + "; logs in "
            + logs.toAbsolutePath());
    err.flush();
    List<String> childOptions = run.noResume ? List.of("--no-resume") : List.of();
    return new Backfill(
        new Backfill.Settings(
            launcherCommand,
            repo.config.toAbsolutePath(),
            view.name,
            windows,
            parallel,
            run.force,
            childOptions,
            maxAttempts,
            pause,
            logs,
            grace),
        () -> registry.intervals(project, view.name),
        line -> {
          synchronized (err) {
            err.println(line);
            err.flush();
          }
        });
  }

  private String launcherPath() {
    String path = launcher != null ? launcher : System.getenv(LAUNCHER_ENV);
    if (path == null || path.isBlank()) {
      throw new InvalidUsageException(
          "sluice backfill starts every window through Sluice's launcher: run it as"
              + " 'bin/sluice backfill …' or pass --launcher /path/to/bin/sluice");
    }
    if (!Files.isExecutable(Path.of(path))) {
      throw new InvalidUsageException(
          "Invalid launcher "
              + path
              + ": not an executable file (--launcher or $"
              + LAUNCHER_ENV
              + ")");
    }
    return path;
  }

  private static Duration positive(String option, String text) {
    Duration duration;
    try {
      duration = BackfillWindows.parseStep(text);
    } catch (InvalidUsageException e) {
      throw new InvalidUsageException(
          "Invalid " + option + " '" + text + "': expected a duration such as 30s, 5m or PT30S");
    }
    return duration;
  }

  /** The summary table, then the JSON report as the last line; returns the exit code. */
  private int finish(ObjectNode result, Backfill.Result outcome) {
    Map<Status, Integer> counts = new EnumMap<>(Status.class);
    for (Status status : Status.values()) {
      counts.put(status, 0);
    }
    ArrayNode windows = Json.MAPPER.createArrayNode();
    TextTable table = new TextTable("window", "status", "rows", "seconds", "attempts", "exit");
    long rowsWritten = 0;
    List<WindowResult> byTime = new ArrayList<>(outcome.windows());
    byTime.sort((a, b) -> a.window().compareTo(b.window()));
    for (WindowResult window : byTime) {
      counts.merge(window.status(), 1, Integer::sum);
      JsonNode child = window.report();
      ObjectNode item =
          windows
              .addObject()
              .put("start", window.window().start().toString())
              .put("end", window.window().end().toString())
              .put("status", window.status().name())
              .put("exit_code", window.exitCode())
              .put("attempts", window.attempts())
              .put("seconds", window.seconds());
      if (child != null) {
        for (String field :
            List.of("run_id", "rows_read", "entities", "rows_written", "rows_skipped_not_newer")) {
          if (child.has(field)) {
            item.set(field, child.get(field));
          }
        }
        if (child.hasNonNull("error")) {
          item.put("error", child.get("error").asText());
        }
        rowsWritten += child.path("rows_written").asLong(0);
      }
      if (window.log() != null) {
        item.put("log", window.log().toAbsolutePath().toString());
      }
      table.row(
          window.window().start() + " – " + window.window().end(),
          window.status().name(),
          child == null ? null : child.path("rows_written").asLong(0),
          window.attempts() == 0 ? null : String.format(Locale.ROOT, "%.1f", window.seconds()),
          window.attempts() == 0 ? null : window.attempts(),
          window.attempts() == 0 ? null : window.exitCode());
    }
    PrintWriter out = spec.commandLine().getOut();
    table.print(out);
    int exitCode = outcome.exitCode();
    String status =
        outcome.stopped()
            ? Backfill.Status.STOPPED.name()
            : exitCode == 0 && counts.get(Status.NOT_RUN) == 0
                ? RunReport.SUCCEEDED
                : RunReport.FAILED;
    ObjectNode countsJson = result.putObject("windows_by_status");
    counts.forEach((key, value) -> countsJson.put(key.name().toLowerCase(Locale.ROOT), value));
    result.put("status", status).put("exit_code", exitCode).put("rows_written", rowsWritten);
    if (outcome.stoppedEarly() != null) {
      result.put("stopped_early", outcome.stoppedEarly());
    }
    result.set("windows", windows);
    String json = result.toString();
    CommandOutput.writeReportFile(run.report, json, spec.commandLine().getErr());
    out.println(json);
    out.flush();
    return exitCode;
  }
}
