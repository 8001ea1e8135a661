package io.sluice.engine.backfill;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.common.json.Json;
import io.sluice.common.retry.RetryExhaustedException;
import io.sluice.common.retry.RetryRule;
import io.sluice.engine.run.ExitCodes;
import io.sluice.registry.TimeInterval;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.event.Level;

/**
 * Runs a backfill: one {@code materialize} child process per window, at most {@code parallel} at
 * once, in the given order. Each child is its own Spark application, started through Sluice's
 * launcher ({@code bin/sluice}, so {@code SPARK_HOME} and {@code SLUICE_SUBMIT_ARGS} apply as for
 * any run): a Spark driver does not start other drivers, and this runner starts no Spark at all.
 *
 * <ul>
 *   <li>Before a window starts, the registry is read again: a window another run recorded in the
 *       meantime (a second backfill of the same view) is skipped, unless {@code force}.
 *   <li>A child that exits with 4 (worth retrying) runs again, up to {@code maxAttempts} in all,
 *       after a capped exponential pause (the project's {@link RetryRule}). A child that exits with
 *       2 or 3 (bad configuration or data: every later window would fail the same way) stops the
 *       backfill early: running children finish, no new one starts.
 *   <li>{@link #stop} (the command's shutdown hook: Ctrl-C, SIGTERM) starts nothing more, sends
 *       SIGTERM to every running child (each marks its run FAILED and records no interval), waits
 *       up to the grace period, then kills what is left.
 * </ul>
 *
 * <p>Each attempt's stdout (its JSON report is the last line) and stderr go to files in the log
 * folder; the result holds, per window, its status, attempts, seconds, the last attempt's report
 * and its log.
 */
public final class Backfill {
  /** What a backfill runs. {@code windows} are in submission order. */
  public record Settings(
      List<String> launcher,
      Path config,
      String featureView,
      List<TimeInterval> windows,
      int parallel,
      boolean force,
      List<String> childOptions,
      int maxAttempts,
      Duration firstRetryPause,
      Path logDir,
      Duration stopGrace) {
    public Settings {
      requireNonNull(launcher, "launcher is null");
      requireNonNull(config, "config is null");
      requireNonNull(featureView, "featureView is null");
      windows = List.copyOf(windows);
      childOptions = List.copyOf(childOptions);
      requireNonNull(logDir, "logDir is null");
      requireNonNull(stopGrace, "stopGrace is null");
      if (parallel < 1 || maxAttempts < 1) {
        throw new IllegalArgumentException("parallel and maxAttempts must be >= 1");
      }
    }
  }

  /** The view's recorded intervals, sorted and coalesced (read from the registry). */
  @FunctionalInterface
  public interface Coverage {
    List<TimeInterval> recorded();
  }

  /** What became of a window. */
  public enum Status {
    SUCCEEDED,
    FAILED,
    /** Already recorded when its turn came: not run. */
    SKIPPED,
    /** Not started: the backfill stopped early or was stopped. */
    NOT_RUN,
    /** Running when the backfill was stopped: its child was sent SIGTERM. */
    STOPPED
  }

  /**
   * One window's outcome: its last attempt's exit code and report (null when it did not run or
   * printed none), attempts made, and seconds from its first start to its end, pauses included.
   */
  public record WindowResult(
      TimeInterval window,
      Status status,
      int exitCode,
      int attempts,
      double seconds,
      JsonNode report,
      Path log) {}

  /** The whole backfill: every window in submission order, and why it ended early, if it did. */
  public record Result(List<WindowResult> windows, String stoppedEarly, boolean stopped) {
    /** The worst child's exit code (see {@link #worse}); 0 when every run succeeded or skipped. */
    public int exitCode() {
      int worst = ExitCodes.SUCCESS;
      for (WindowResult window : windows) {
        worst = worse(worst, window.exitCode());
      }
      return worst;
    }
  }

  /**
   * The worse of two exit codes, for the backfill's own: bad configuration (2) before bad data (3),
   * before an unexpected failure (1, or any code a child died with, such as 137 after SIGKILL,
   * reported as 1), before a failure worth retrying (4), before success. So a backfill exits with
   * 4, which Airflow retries, only when every failure was worth retrying.
   */
  public static int worse(int a, int b) {
    return severity(a) >= severity(b) ? normal(a) : normal(b);
  }

  private static int normal(int code) {
    return severity(code) == 2 ? ExitCodes.UNEXPECTED : code;
  }

  private static int severity(int code) {
    return switch (code) {
      case ExitCodes.SUCCESS -> 0;
      case ExitCodes.RETRYABLE -> 1;
      case ExitCodes.DATA -> 3;
      case ExitCodes.USAGE -> 4;
      default -> 2;
    };
  }

  private static final DateTimeFormatter FILE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Settings settings;
  private final Coverage coverage;
  private final Consumer<String> progress;
  private final RetryRule retry;
  private final Set<Process> running = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;
  private volatile Thread scheduler;
  private volatile ExecutorService workers;

  public Backfill(Settings settings, Coverage coverage, Consumer<String> progress) {
    this.settings = requireNonNull(settings, "settings is null");
    this.coverage = requireNonNull(coverage, "coverage is null");
    this.progress = requireNonNull(progress, "progress is null");
    this.retry =
        RetryRule.retrying(e -> e instanceof RetryableExit)
            .backoff(settings.firstRetryPause(), settings.firstRetryPause().multipliedBy(16))
            .jitter(0.2)
            .budget(Duration.ofDays(7)) // the attempts bound it
            .maxAttempts(settings.maxAttempts())
            .logRetriesAt(Level.DEBUG) // the progress lines say it
            .build();
  }

  /** Runs every window (or as many as it gets to) and returns what became of each. */
  public Result run() {
    try {
      Files.createDirectories(settings.logDir());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create the backfill's log folder " + settings.logDir(), e);
    }
    scheduler = Thread.currentThread();
    List<TimeInterval> windows = settings.windows();
    WindowResult[] results = new WindowResult[windows.size()];
    List<Future<?>> started = new ArrayList<>();
    Semaphore slots = new Semaphore(settings.parallel());
    String[] stoppedEarly = {null};
    ExecutorService pool = Executors.newFixedThreadPool(settings.parallel(), daemonThreads());
    workers = pool;
    try {
      for (int i = 0; i < windows.size(); i++) {
        TimeInterval window = windows.get(i);
        try {
          slots.acquire();
        } catch (InterruptedException e) {
          stopping = true; // stop() interrupted the wait for a free slot
        }
        synchronized (stoppedEarly) {
          if (stopping || stoppedEarly[0] != null) {
            slots.release();
            results[i] = notRun(window);
            continue;
          }
        }
        boolean recorded;
        try {
          recorded = !settings.force() && BackfillWindows.covered(window, coverage.recorded());
        } catch (RuntimeException e) {
          slots.release();
          if (stopping) {
            results[i] = notRun(window);
            continue;
          }
          // The registry is unreachable or broken: whatever runs finishes, nothing more starts.
          int exitCode = ExitCodes.of(e);
          results[i] = new WindowResult(window, Status.FAILED, exitCode, 0, 0, null, null);
          synchronized (stoppedEarly) {
            if (stoppedEarly[0] == null) {
              stoppedEarly[0] = "cannot read the recorded intervals: " + ExitCodes.message(e);
              progress.accept("backfill: stopping early: " + stoppedEarly[0]);
            }
          }
          continue;
        }
        if (recorded) {
          slots.release();
          results[i] = new WindowResult(window, Status.SKIPPED, 0, 0, 0, null, null);
          progress.accept(label(i) + " " + window + ": already recorded, skipped");
          continue;
        }
        int index = i;
        started.add(
            pool.submit(
                () -> {
                  try {
                    WindowResult result = runWindow(index, window);
                    results[index] = result;
                    if (result.exitCode() == ExitCodes.USAGE
                        || result.exitCode() == ExitCodes.DATA) {
                      synchronized (stoppedEarly) {
                        if (stoppedEarly[0] == null) {
                          stoppedEarly[0] =
                              "window "
                                  + window
                                  + " failed with exit code "
                                  + result.exitCode()
                                  + ", which every later window would meet too";
                          progress.accept(
                              "backfill: stopping early: no new window starts ("
                                  + stoppedEarly[0]
                                  + ")");
                        }
                      }
                    }
                  } finally {
                    slots.release();
                  }
                }));
      }
      for (Future<?> future : started) {
        awaitQuietly(future);
      }
    } finally {
      pool.shutdownNow();
      Thread.interrupted(); // a stop() that came after the last wait
    }
    List<WindowResult> all = new ArrayList<>(results.length);
    for (int i = 0; i < results.length; i++) {
      all.add(results[i] == null ? notRun(windows.get(i)) : results[i]);
    }
    return new Result(List.copyOf(all), stoppedEarly[0], stopping);
  }

  /**
   * Stops the backfill (from a shutdown hook, any thread): no window starts any more, every running
   * child gets SIGTERM, and after {@code grace} the ones still running are killed. Returns when
   * every child is gone.
   */
  public void stop() {
    stopping = true;
    Thread waiting = scheduler;
    if (waiting != null) {
      waiting.interrupt();
    }
    List<Process> children = new ArrayList<>(running);
    if (!children.isEmpty()) {
      progress.accept(
          "backfill: stopping: sending SIGTERM to " + children.size() + " running window(s)");
    }
    children.forEach(Process::destroy);
    long deadline = System.nanoTime() + settings.stopGrace().toNanos();
    for (Process child : children) {
      try {
        if (!child.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          progress.accept(
              "backfill: a child (pid "
                  + child.pid()
                  + ") did not stop within "
                  + RetryRule.describe(settings.stopGrace())
                  + "; killed (its run row stays RUNNING)");
          child.destroyForcibly();
        }
      } catch (InterruptedException e) {
        child.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    ExecutorService pool = workers;
    if (pool != null) {
      pool.shutdownNow(); // wakes workers pausing before a retry
    }
  }

  /** One window, retried while its child exits with 4 and attempts are left. */
  private WindowResult runWindow(int index, TimeInterval window) {
    long started = System.nanoTime();
    Attempted[] last = {null};
    int[] attempts = {0};
    try {
      Attempted done =
          retry.call(
              "materialize " + window,
              () -> {
                Attempted attempt = attempt(index, window, ++attempts[0]);
                last[0] = attempt;
                if (attempt.exitCode() == ExitCodes.RETRYABLE && !stopping) {
                  if (attempts[0] < settings.maxAttempts()) {
                    progress.accept(
                        label(index)
                            + " "
                            + window
                            + ": exit code 4 (worth retrying), attempt "
                            + attempts[0]
                            + " of "
                            + settings.maxAttempts()
                            + "; retrying after a pause: "
                            + error(attempt.report()));
                  }
                  throw new RetryableExit(attempt);
                }
                return attempt;
              });
      last[0] = done;
    } catch (RetryExhaustedException exhausted) {
      // The last attempt's exit code stands (4), or the wait before a retry was stopped.
    } catch (RuntimeException e) {
      if (last[0] == null && stopping) {
        return new WindowResult(window, Status.NOT_RUN, 0, 0, 0, null, null);
      }
      if (last[0] == null) { // the child could not be started at all
        progress.accept(label(index) + " " + window + ": cannot start: " + e.getMessage());
        return new WindowResult(
            window, Status.FAILED, ExitCodes.UNEXPECTED, attempts[0], seconds(started), null, null);
      }
    }
    Attempted attempt = last[0];
    double seconds = seconds(started);
    Status status;
    if (attempt == null) {
      status = Status.NOT_RUN;
    } else if (attempt.exitCode() == ExitCodes.SUCCESS) {
      status = Status.SUCCEEDED;
    } else {
      status = stopping ? Status.STOPPED : Status.FAILED;
    }
    int exitCode = attempt == null ? ExitCodes.SUCCESS : attempt.exitCode();
    JsonNode report = attempt == null ? null : attempt.report();
    progress.accept(
        label(index)
            + " "
            + window
            + ": "
            + status.name().toLowerCase(java.util.Locale.ROOT)
            + (status == Status.SUCCEEDED
                ? ", " + count(report, "rows_written") + " rows written"
                : ", exit code " + exitCode + ": " + error(report))
            + String.format(java.util.Locale.ROOT, " in %.1f s", seconds)
            + (attempts[0] > 1 ? " (" + attempts[0] + " attempts)" : "")
            + (status == Status.FAILED ? "; log: " + attempt.log() : ""));
    return new WindowResult(
        window,
        status,
        exitCode,
        attempts[0],
        seconds,
        report,
        attempt == null ? null : attempt.log());
  }

  /** One child process: its exit code, the JSON report it printed last (or null), its log. */
  private record Attempted(int exitCode, JsonNode report, Path log) {}

  /** A child's exit code 4, which the retry rule retries. */
  private static final class RetryableExit extends RuntimeException {
    RetryableExit(Attempted attempt) {
      super("exit code " + attempt.exitCode(), null, false, false);
    }
  }

  private Attempted attempt(int index, TimeInterval window, int attempt) {
    if (stopping) {
      throw new IllegalStateException("the backfill is stopping");
    }
    String name =
        String.format(
            java.util.Locale.ROOT,
            "%03d-%s_%s.attempt%d",
            index + 1,
            FILE_TIME.format(window.start()),
            FILE_TIME.format(window.end()),
            attempt);
    Path out = settings.logDir().resolve(name + ".out");
    Path log = settings.logDir().resolve(name + ".log");
    List<String> command = command(window);
    progress.accept(
        label(index)
            + " "
            + window
            + ": started"
            + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    running.add(process);
    try {
      process.getOutputStream().close(); // no input
      if (stopping) {
        process.destroy(); // stop() ran between the check above and running.add
      }
      int exitCode = waitFor(process);
      return new Attempted(exitCode, lastJsonLine(out), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      running.remove(process);
    }
  }

  /** Waits for the child; an interrupt (the pool shutting down) does not leave it behind. */
  private static int waitFor(Process process) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return process.waitFor();
        } catch (InterruptedException e) {
          interrupted = true;
          process.destroy();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The child's command line: {@code <launcher> materialize … --start … --end …}. */
  List<String> command(TimeInterval window) {
    List<String> command = new ArrayList<>(settings.launcher());
    command.addAll(
        List.of(
            "materialize",
            "--config",
            settings.config().toString(),
            "--feature-view",
            settings.featureView(),
            "--start",
            window.start().toString(),
            "--end",
            window.end().toString()));
    if (settings.force()) {
      command.add("--force");
    }
    command.addAll(settings.childOptions());
    return command;
  }

  private static JsonNode lastJsonLine(Path out) {
    try {
      List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        String line = lines.get(i).trim();
        if (line.startsWith("{")) {
          try {
            return Json.MAPPER.readTree(line);
          } catch (IOException notJson) {
            return null;
          }
        }
        if (!line.isEmpty()) {
          return null;
        }
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String error(JsonNode report) {
    if (report == null || !report.hasNonNull("error")) {
      return "no report (see the log)";
    }
    return report.get("error").asText();
  }

  static long count(JsonNode report, String field) {
    return report == null ? 0 : report.path(field).asLong(0);
  }

  private String label(int index) {
    int digits = String.valueOf(settings.windows().size()).length();
    return String.format(
        java.util.Locale.ROOT,
        "backfill: [%" + digits + "d/%d]",
        index + 1,
        settings.windows().size());
  }

  private static WindowResult notRun(TimeInterval window) {
    return new WindowResult(window, Status.NOT_RUN, 0, 0, 0, null, null);
  }

  private static double seconds(long startedNanos) {
    return Math.round((System.nanoTime() - startedNanos) / 1e6) / 1000.0;
  }

  private static void awaitQuietly(Future<?> future) {
    while (true) {
      try {
        future.get();
        return;
      } catch (InterruptedException e) {
        // stop() interrupts the scheduler: children are being stopped, their workers end soon
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("A backfill worker failed", e.getCause());
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    return runnable -> {
      Thread thread = new Thread(runnable, "sluice-backfill-window");
      thread.setDaemon(true);
      return thread;
    };
  }

  /** When this backfill started, for the default log folder's name. */
  public static String fileTime(Instant instant) {
    return FILE_TIME.format(instant);
  }
}
