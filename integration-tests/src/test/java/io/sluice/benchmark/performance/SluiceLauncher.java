package io.sluice.benchmark.performance;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.common.json.Json;
import io.sluice.testing.SparkCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code submit/bin/sluice materialize} as a user does, under {@code /usr/bin/time}, with
 * Spark's event log on so the harness can sum the shuffle bytes: in local mode (no {@code
 * SPARK_HOME}; the event log through {@code JAVA_OPTS}), or through {@code spark-submit} in client
 * mode on a standalone cluster ({@code SPARK_HOME} and {@code SLUICE_SUBMIT_ARGS}). Each run gets
 * its own folder for output, timings and event log.
 */
final class SluiceLauncher {
  static final String START = "2024-05-01T00:00:00Z";
  static final String END = "2024-05-02T00:00:00Z";

  private final Path root;
  private final String time;

  SluiceLauncher(Path root) {
    this.root = root;
    this.time = requireTime();
  }

  enum Mode {
    NEWER_ONLY,
    FORCE
  }

  /**
   * Materializes {@code [START, END)} of the repo's view {@code stats} in local mode; fails on a
   * non-zero exit.
   */
  RunResult materialize(FeatureRepo repo, Mode mode, Map<String, String> environment) {
    return materialize(repo, mode, environment, null, List.of());
  }

  /** As {@link #materialize(FeatureRepo, Mode, Map)} with more arguments ({@code --no-resume}). */
  RunResult materialize(FeatureRepo repo, Mode mode, List<String> arguments) {
    return materialize(repo, mode, Map.of(), null, arguments);
  }

  /**
   * The same through {@code spark-submit} to {@code cluster} in client mode: the driver is the
   * launched process (what {@code /usr/bin/time} measures), the executor a JVM the worker starts
   * with {@code executorMemory}.
   */
  RunResult materializeOn(
      SparkCluster cluster, String executorMemory, FeatureRepo repo, Mode mode) {
    return materialize(repo, mode, Map.of(), new Submit(cluster, executorMemory), List.of());
  }

  private record Submit(SparkCluster cluster, String executorMemory) {}

  private RunResult materialize(
      FeatureRepo repo,
      Mode mode,
      Map<String, String> environment,
      Submit submit,
      List<String> arguments) {
    // A folder per run, also when one repo runs several times (the staging section's resume).
    String name = "run-" + mode.name().toLowerCase(java.util.Locale.ROOT);
    Path dir = repo.dir().resolve(name);
    for (int i = 2; Files.exists(dir); i++) {
      dir = repo.dir().resolve(name + "-" + i);
    }
    Path eventLog = dir.resolve("event-log");
    try {
      Files.createDirectories(eventLog);
      Path timeFile = dir.resolve("time.txt");
      List<String> command =
          new ArrayList<>(
              List.of(
                  time,
                  "-o",
                  timeFile.toString(),
                  "-f",
                  ProcessTimes.FORMAT,
                  root.resolve("submit/bin/sluice").toString(),
                  "materialize",
                  "--config",
                  repo.config().toString(),
                  "--feature-view",
                  FeatureRepo.VIEW,
                  "--start",
                  START,
                  "--end",
                  END));
      if (mode == Mode.FORCE) {
        command.add("--force");
      }
      command.addAll(arguments);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(root.toFile())
              .redirectOutput(dir.resolve("stdout.txt").toFile())
              .redirectError(dir.resolve("stderr.txt").toFile());
      Map<String, String> env = builder.environment();
      env.remove("SPARK_HOME");
      env.remove("SLUICE_SUBMIT_ARGS");
      String eventLogConf =
          "spark.eventLog.enabled=true spark.eventLog.dir=file:" + eventLog.toAbsolutePath();
      if (submit == null) {
        env.put("JAVA_OPTS", "-D" + eventLogConf.replace(" ", " -D"));
      } else {
        env.put("SPARK_HOME", submit.cluster().sparkHome().toString());
        env.put(
            "SLUICE_SUBMIT_ARGS",
            "--master "
                + submit.cluster().masterUrl()
                + " --executor-memory "
                + submit.executorMemory()
                + " --conf "
                + eventLogConf.replace(" ", " --conf "));
      }
      env.putAll(environment);
      long start = System.nanoTime();
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(60, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("sluice materialize did not finish in 60 minutes: " + dir);
      }
      double wall = (System.nanoTime() - start) / 1e9;
      String out = Files.readString(dir.resolve("stdout.txt"));
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "sluice materialize exited with "
                + process.exitValue()
                + " ("
                + dir
                + "):\n"
                + out
                + tail(Files.readString(dir.resolve("stderr.txt")), 4000));
      }
      String[] lines = out.strip().split("\n");
      JsonNode report = Json.MAPPER.readTree(lines[lines.length - 1]);
      ProcessTimes times = ProcessTimes.parse(Files.readAllLines(timeFile));
      return new RunResult(report, wall, times, EventLogs.shuffleBytesWritten(eventLog));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run sluice materialize in " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running sluice materialize", e);
    }
  }

  private static String tail(String text, int characters) {
    return text.length() <= characters ? text : "…" + text.substring(text.length() - characters);
  }

  private static String requireTime() {
    if (!Files.isExecutable(Path.of("/usr/bin/time"))) {
      throw new IllegalStateException(
          "Cannot find /usr/bin/time: the harness measures CPU and peak memory with it. Install it"
              + " with `apt-get install -y time`.");
    }
    return "/usr/bin/time";
  }
}
