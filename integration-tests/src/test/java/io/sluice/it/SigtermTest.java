package io.sluice.it;

import static io.sluice.it.DynamoDbRepo.DAY1;
import static io.sluice.it.DynamoDbRepo.DAY2;
import static io.sluice.it.DynamoDbRepo.VIEW;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import feast.proto.types.ValueProto.Value;
import io.sluice.it.DynamoDbRepo.Stat;
import io.sluice.testing.RedisServer;
import io.sluice.testing.TcpProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/**
 * SIGTERM (what Airflow sends on a timeout) to {@code submit/bin/sluice materialize} in the middle
 * of its write, as a user runs it: the application jar in local mode, a SQLite registry, a real
 * redis-server behind a {@link TcpProxy} that stalls after a number of bytes, so the run is
 * certainly writing when the signal comes, with some rows already in Redis. The run stops within
 * seconds, its row is FAILED saying so, no interval is recorded, the report is still the last line
 * on stdout, the exit code is 143; a rerun then materializes the window. Once through the
 * launcher's first run (it stays, writing the class-data archive, and passes the signal on to its
 * JVM) and once to the JVM itself (later runs exec it). Needs the application jar that {@code mvn
 * verify} packages in submit/ before this module runs.
 */
@Timeout(600)
class SigtermTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final int DRIVERS = 2000;

  /**
   * Client bytes Redis gets before the store stalls: the writers' connection set-up and some
   * batches, far less than the whole window's writes (about 100 bytes a row).
   */
  private static final long STALL_AFTER_BYTES = 40_000;

  /** How long the stopped run may take from the signal to its process's end. */
  private static final Duration STOPPED_WITHIN = Duration.ofSeconds(30);

  private static RedisServer redis;
  private static JedisPooled jedis;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    jedis = new JedisPooled("127.0.0.1", redis.port());
  }

  @AfterAll
  static void stop() {
    jedis.close();
    redis.close();
  }

  @BeforeEach
  void flush() {
    jedis.flushAll();
  }

  /** The store section: Redis at {@code hostAndPort}, two writers, a long retry budget. */
  private static String redisStore(String hostAndPort) {
    return "online_store:\n  type: redis\n  connection_string: "
        + hostAndPort
        + "\n"
        + "batch_engine:\n  type: spark.engine\n  partitions: 2\n"
        + "materialization:\n  online_write_batch_size: 50\n"
        // The stalled store must not fail the run on its own before the signal comes.
        + "sluice:\n  write_retry_seconds: 600\n";
  }

  /** Starts {@code submit/bin/sluice <args>}, stdout and stderr to files in {@code dir}. */
  private Process launch(String name, Map<String, String> environment, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("submit/bin/sluice").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
    builder.environment().remove("SPARK_HOME");
    builder.environment().remove("JAVA_OPTS");
    builder.environment().putAll(environment);
    return builder
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
  }

  private Launched output(String name, Process process) throws Exception {
    return new Launched(
        process.exitValue(),
        Files.readString(dir.resolve(name + ".out")),
        Files.readString(dir.resolve(name + ".err")));
  }

  private Launched materialize(String name, DynamoDbRepo repo, Map<String, String> environment)
      throws Exception {
    Process process =
        launch(
            name,
            environment,
            "materialize",
            "--config",
            repo.config().toString(),
            "--feature-view",
            VIEW,
            "--start",
            DAY1.toString(),
            "--end",
            DAY2.toString());
    assertThat(process.waitFor(4, TimeUnit.MINUTES)).as("finished in time").isTrue();
    return output(name, process);
  }

  /**
   * Polls {@code condition} until it holds; fails when {@code process} ends first or the deadline
   * passes.
   */
  private void awaitWhileRunning(
      String what, Process process, String name, Duration timeout, BooleanSupplier condition)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
        throw new AssertionError("Ended before " + what + ":\n" + output(name, process));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new AssertionError("No " + what + " within " + timeout);
      }
    }
  }

  private static boolean running(DynamoDbRepo repo) {
    JsonNode runs = repo.runs();
    return runs.size() == 1 && runs.get(0).get("status").asText().equals("RUNNING");
  }

  /**
   * Starts the run against a store that stalls part way, waits until it is RUNNING, stalled and
   * some of its rows are in Redis, sends SIGTERM and asserts what the stopped run left. Returns its
   * output.
   */
  private Launched stopMidWrite(DynamoDbRepo repo, TcpProxy proxy, Map<String, String> environment)
      throws Exception {
    proxy.stallAfterBytes(STALL_AFTER_BYTES);
    Process process =
        launch(
            "stopped",
            environment,
            "materialize",
            "--config",
            repo.config().toString(),
            "--feature-view",
            VIEW,
            "--start",
            DAY1.toString(),
            "--end",
            DAY2.toString());
    awaitWhileRunning(
        "a RUNNING run writing to a stalled store",
        process,
        "stopped",
        Duration.ofMinutes(3),
        () -> proxy.isStalled() && jedis.dbSize() > 0 && running(repo));

    long signalled = System.nanoTime();
    process.destroy(); // SIGTERM
    assertThat(process.waitFor(STOPPED_WITHIN.toSeconds() + 5, TimeUnit.SECONDS))
        .as("ended after SIGTERM")
        .isTrue();
    Duration took = Duration.ofNanos(System.nanoTime() - signalled);
    Launched stopped = output("stopped", process);
    assertThat(took).as(stopped.toString()).isLessThanOrEqualTo(STOPPED_WITHIN);

    assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(143);
    JsonNode report = stopped.lastLine();
    assertThat(report.get("status").asText()).isEqualTo("FAILED");
    assertThat(report.get("exit_code").asInt()).isEqualTo(143);
    assertThat(report.get("error").asText())
        .isEqualTo(
            "Stopped by SIGTERM before the run completed; no interval recorded (what it wrote to"
                + " the online store stays; running the window again is safe)");
    assertThat(stopped.err()).contains("SIGTERM: stopping the run");
    repo.assertFailedRunRecordedNothing(report);
    return stopped;
  }

  @Test
  void sigtermToTheLaunchersFirstRunStopsTheRunAndARerunMaterializesTheWindow() throws Exception {
    Path cds = dir.resolve("cds");
    try (TcpProxy proxy = TcpProxy.start(redis.port())) {
      DynamoDbRepo repo =
          DynamoDbRepo.create(
              dir.resolve("repo"), "sigterm", DRIVERS, redisStore(proxy.hostAndPort()));
      repo.apply(); // in this JVM: apply needs neither Spark nor the store
      Launched stopped = stopMidWrite(repo, proxy, Map.of("SLUICE_CDS_DIR", cds.toString()));
      assertThat(stopped.err()).contains("this first run also writes a class-data sharing archive");
      try (var files = Files.list(cds)) {
        assertThat(files.toList()).as("a stopped run's archive is not kept").isEmpty();
      }
      long landed = jedis.dbSize();
      assertThat(landed).isPositive().isLessThan(DRIVERS);
      proxy.close(); // drops what the stalled connections held

      // The rerun, straight to Redis: what the stopped run wrote stayed, and is skipped.
      Path config = repo.config();
      Files.writeString(
          config,
          Files.readString(config).replace(proxy.hostAndPort(), "127.0.0.1:" + redis.port()));
      Launched rerun = materialize("rerun", repo, Map.of("SLUICE_CDS", "0"));
      assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
      JsonNode report = rerun.lastLine();
      assertThat(report.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(report.get("rows_skipped_not_newer").asLong()).isEqualTo(landed);
      assertThat(report.get("rows_written").asLong()).isEqualTo(DRIVERS - landed);
      assertThat(repo.intervals())
          .isEqualTo("[{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-02T00:00:00Z\"}]");
      assertThat(differences(repo, repo.expectedLatest(DAY1, DAY2))).isEmpty();
      JsonNode runs = repo.runs();
      assertThat(runs).hasSize(2);
      assertThat(runs.get(0).get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(runs.get(1).get("status").asText()).isEqualTo("FAILED");
    }
  }

  @Test
  void sigtermToTheJvmStopsTheRun() throws Exception {
    try (TcpProxy proxy = TcpProxy.start(redis.port())) {
      DynamoDbRepo repo =
          DynamoDbRepo.create(
              dir.resolve("repo"), "sigjvm", DRIVERS, redisStore(proxy.hostAndPort()));
      repo.apply();
      // No class-data archive to write: the launcher execs the JVM, which gets the signal itself.
      Launched stopped = stopMidWrite(repo, proxy, Map.of("SLUICE_CDS", "0"));
      assertThat(stopped.err()).doesNotContain("class-data sharing archive");
    }
  }

  /** What Redis holds for each expected driver that differs from it, described. */
  private static List<String> differences(DynamoDbRepo repo, Map<Long, Stat> expected) {
    byte[] ts = ("_ts:" + VIEW).getBytes(UTF_8);
    byte[] rate = DriverKeys.murmur(VIEW + ":conv_rate");
    byte[] trips = DriverKeys.murmur(VIEW + ":trips");
    byte[] note = DriverKeys.murmur(VIEW + ":note");
    List<String> wrong = new ArrayList<>();
    assertThat(expected).hasSize(DRIVERS);
    for (Stat want : expected.values()) {
      List<byte[]> stored =
          jedis.hmget(DriverKeys.redisKey(repo.project, want.driver()), ts, rate, trips, note);
      try {
        Timestamp event = Timestamp.parseFrom(stored.get(0));
        Instant storedEvent = Instant.ofEpochSecond(event.getSeconds(), event.getNanos());
        float storedRate = Value.parseFrom(stored.get(1)).getFloatVal();
        long storedTrips = Value.parseFrom(stored.get(2)).getInt64Val();
        String storedNote = Value.parseFrom(stored.get(3)).getStringVal();
        if (!storedEvent.equals(want.event())
            || storedRate != (float) want.convRate()
            || storedTrips != want.trips()
            || !storedNote.equals(want.note())) {
          wrong.add(
              want
                  + " stored as "
                  + storedEvent
                  + ","
                  + storedRate
                  + ","
                  + storedTrips
                  + ","
                  + storedNote);
        }
      } catch (Exception e) {
        wrong.add(want + ": " + e);
      }
    }
    return wrong;
  }
}
