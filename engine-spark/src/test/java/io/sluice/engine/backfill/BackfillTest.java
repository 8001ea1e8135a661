package io.sluice.engine.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.backfill.Backfill.Result;
import io.sluice.engine.backfill.Backfill.Status;
import io.sluice.engine.backfill.Backfill.WindowResult;
import io.sluice.engine.backfill.BackfillWindows.Order;
import io.sluice.registry.TimeInterval;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's own rules: retries, stopping early, skipping, the bound on children at once, and
 * stopping on a signal. The children here are a bash script standing in for {@code bin/sluice
 * materialize} (exit codes and timing on demand, which a real run cannot give deterministically);
 * the end-to-end tests in {@code integration-tests} run real children.
 */
class BackfillTest {
  @TempDir Path dir;
  private Path child;
  private final List<String> progress = java.util.Collections.synchronizedList(new ArrayList<>());

  /**
   * The stand-in child: records its start, keeps a count of children running at once, takes its
   * exit code from {@code plan/<start>} (one code per attempt, 0 when none is left; {@code hang}
   * waits until SIGTERM, then exits 4), prints a JSON report as its last line.
   */
  private static final String CHILD =
      """
      #!/usr/bin/env bash
      set -u
      dir=$(dirname "$0")
      start=""; force=no
      while [ $# -gt 0 ]; do
        case $1 in --start) start=$2; shift ;; --force) force=yes ;; esac
        shift
      done
      name=$(printf '%s' "$start" | tr -d ':')
      code=0
      if [ -s "$dir/plan/$name" ]; then
        code=$(head -n1 "$dir/plan/$name"); sed -i 1d "$dir/plan/$name"
      fi
      if [ "$code" = hang ]; then # the trap first: the test stops this child once it is running
        trap 'echo term > "$dir/terminated/$$"; rm -f "$dir/running/$$"; echo "{\\"error\\": \\"stopped\\"}"; exit 4' TERM
      fi
      echo "$start $force" >> "$dir/started"
      touch "$dir/running/$$"
      ls "$dir/running" | wc -l >> "$dir/counts"
      if [ "$code" = hang ]; then
        while true; do sleep 0.05; done
      fi
      sleep 0.2
      rm -f "$dir/running/$$"
      echo "progress line"
      if [ "$code" = 0 ]; then
        echo "{\\"run_id\\": \\"r-$$\\", \\"rows_written\\": 7}"
      else
        echo "{\\"run_id\\": \\"r-$$\\", \\"rows_written\\": 0, \\"error\\": \\"planned $code\\"}"
        echo "details on stderr" >&2
      fi
      exit "$code"
      """;

  @BeforeEach
  void writeChild() throws IOException {
    child = dir.resolve("child.sh");
    Files.writeString(child, CHILD);
    Files.setPosixFilePermissions(child, PosixFilePermissions.fromString("rwx------"));
    for (String folder : List.of("plan", "running", "terminated")) {
      Files.createDirectories(dir.resolve(folder));
    }
  }

  private static final Instant DAY = Instant.parse("2024-05-01T00:00:00Z");

  private static TimeInterval hour(int h) {
    return new TimeInterval(DAY.plusSeconds(3600L * h), DAY.plusSeconds(3600L * (h + 1)));
  }

  private void plan(int hour, String... codes) throws IOException {
    String name = hour(hour).start().toString().replace(":", "");
    Files.writeString(dir.resolve("plan").resolve(name), String.join("\n", codes) + "\n");
  }

  private Backfill backfill(
      int hours, int parallel, Order order, boolean force, Backfill.Coverage coverage) {
    List<TimeInterval> windows = new ArrayList<>();
    for (int h = 0; h < hours; h++) {
      windows.add(hour(h));
    }
    return new Backfill(
        new Backfill.Settings(
            List.of(child.toString()),
            dir.resolve("feature_store.yaml"),
            "driver_hourly_stats",
            BackfillWindows.ordered(windows, order),
            parallel,
            force,
            List.of(),
            3,
            Duration.ofMillis(20),
            dir.resolve("logs"),
            Duration.ofSeconds(20)),
        coverage,
        progress::add);
  }

  private List<String> started() throws IOException {
    Path file = dir.resolve("started");
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private static WindowResult of(Result result, int hour) {
    return result.windows().stream()
        .filter(w -> w.window().equals(hour(hour)))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aWindowThatExitsWith4RunsAgainUntilItsAttemptsAreUsedUp() throws IOException {
    plan(0, "4", "0");
    plan(1, "4", "4", "4", "0");

    Result result = backfill(2, 1, Order.OLDEST_FIRST, false, List::of).run();

    WindowResult retried = of(result, 0);
    assertThat(retried.status()).isEqualTo(Status.SUCCEEDED);
    assertThat(retried.attempts()).isEqualTo(2);
    assertThat(retried.report().get("rows_written").asLong()).isEqualTo(7);
    WindowResult exhausted = of(result, 1);
    assertThat(exhausted.status()).isEqualTo(Status.FAILED);
    assertThat(exhausted.attempts()).isEqualTo(3);
    assertThat(exhausted.exitCode()).isEqualTo(4);
    assertThat(exhausted.report().get("error").asText()).isEqualTo("planned 4");
    assertThat(Files.readString(exhausted.log())).contains("details on stderr");
    assertThat(result.exitCode()).isEqualTo(4);
    assertThat(started()).hasSize(5);
    assertThat(progress)
        .anyMatch(line -> line.contains("exit code 4 (worth retrying), attempt 1 of 3"));
  }

  @Test
  void aWindowThatExitsWith2Or3StopsTheBackfillEarly() throws IOException {
    plan(3, "3");

    Result result = backfill(4, 1, Order.NEWEST_FIRST, false, List::of).run();

    assertThat(of(result, 3).status()).isEqualTo(Status.FAILED);
    assertThat(of(result, 3).attempts()).isEqualTo(1);
    for (int h = 0; h < 3; h++) {
      assertThat(of(result, h).status()).isEqualTo(Status.NOT_RUN);
    }
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stoppedEarly()).contains("exit code 3");
    assertThat(started()).containsExactly(hour(3).start() + " no");
  }

  @Test
  void windowsTheRegistryAlreadyCoversAreSkippedUnlessForced() throws IOException {
    Backfill.Coverage hourOneRecorded = () -> List.of(hour(1));

    Result result = backfill(3, 1, Order.OLDEST_FIRST, false, hourOneRecorded).run();

    assertThat(of(result, 1).status()).isEqualTo(Status.SKIPPED);
    assertThat(result.windows()).filteredOn(w -> w.status() == Status.SUCCEEDED).hasSize(2);
    assertThat(result.exitCode()).isZero();
    assertThat(started()).containsExactly(hour(0).start() + " no", hour(2).start() + " no");

    Files.delete(dir.resolve("started"));
    Result forced = backfill(3, 1, Order.OLDEST_FIRST, true, hourOneRecorded).run();

    assertThat(forced.windows()).allMatch(w -> w.status() == Status.SUCCEEDED);
    assertThat(started()).hasSize(3).allMatch(line -> line.endsWith(" yes"));
  }

  @Test
  void noMoreThanParallelChildrenRunAtOnce() throws IOException {
    Result result = backfill(8, 3, Order.NEWEST_FIRST, false, List::of).run();

    assertThat(result.windows()).allMatch(w -> w.status() == Status.SUCCEEDED);
    List<Integer> counts =
        Files.readAllLines(dir.resolve("counts")).stream()
            .map(String::trim)
            .map(Integer::valueOf)
            .toList();
    assertThat(counts).hasSize(8).allMatch(count -> count <= 3);
    // Newest first: the first three children (started together) had the last three hours.
    assertThat(started().subList(0, 3))
        .containsExactlyInAnyOrder(
            hour(7).start() + " no", hour(6).start() + " no", hour(5).start() + " no");
  }

  @Test
  void stopSendsSigtermToRunningChildrenAndStartsNoOther() throws Exception {
    for (int h = 0; h < 5; h++) {
      plan(h, "hang");
    }
    Backfill backfill = backfill(5, 2, Order.OLDEST_FIRST, false, List::of);
    CompletableFuture<Result> running = CompletableFuture.supplyAsync(backfill::run);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (running(dir) < 2) {
      assertThat(System.nanoTime()).as("two children running within 60 s").isLessThan(deadline);
      Thread.sleep(10); // polling a condition with a deadline
    }

    backfill.stop();
    Result result = running.get(60, TimeUnit.SECONDS);

    assertThat(result.stopped()).isTrue();
    assertThat(result.windows()).filteredOn(w -> w.status() == Status.STOPPED).hasSize(2);
    assertThat(result.windows()).filteredOn(w -> w.status() == Status.NOT_RUN).hasSize(3);
    try (Stream<Path> terminated = Files.list(dir.resolve("terminated"))) {
      assertThat(terminated.count()).as("children that got SIGTERM").isEqualTo(2);
    }
    assertThat(started()).hasSize(2);
    assertThat(of(result, 0).exitCode()).isEqualTo(4);
    assertThat(of(result, 0).report().get("error").asText()).isEqualTo("stopped");
  }

  private static long running(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("running"))) {
      return files.count();
    }
  }
}
