package io.sluice.benchmark;

import io.sluice.registry.RegistryConfig;
import io.sluice.registry.RegistryDialect;
import io.sluice.registry.RunStats;
import io.sluice.registry.SqlRegistry;
import io.sluice.registry.TimeInterval;
import io.sluice.testing.MariaDbServer;
import io.sluice.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Latency of recording an interval ({@code completeRun}: the run row and the feature view's
 * intervals in one transaction; p50, p99, max) with 1, 8 and 32 concurrent writers on SQLite,
 * PostgreSQL and MariaDB. Each call's run is started just before, outside the measured time. Each
 * writer is a thread with its own {@link SqlRegistry} (its own connection), so the database sees 1,
 * 8 or 32 concurrent sessions, as it would from as many spark-submits. All writers record one-hour
 * windows of the same feature view; consecutive windows touch, as in a backfill, so the stored
 * intervals coalesce.
 *
 * <p>Run from the repository root (it starts its own PostgreSQL and MariaDB; about 10 s):
 *
 * <pre>{@code
 * mvn -q install -pl integration-tests/servers,registry-client -DskipTests
 * mvn -q dependency:build-classpath -pl registry-client -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=/tmp/rc.cp
 * CP="registry-client/target/classes:$(cat /tmp/rc.cp)"
 * javac -d /tmp/bench -cp "$CP" \
 *     integration-tests/src/test/java/io/sluice/benchmark/RecordIntervalBenchmark.java
 * java -cp "/tmp/bench:$CP" io.sluice.benchmark.RecordIntervalBenchmark [calls per row, 640]
 * }</pre>
 */
public final class RecordIntervalBenchmark {
  private static final String DEFINITIONS =
      """
      entities:
        - {name: driver, join_key: driver_id, value_type: INT64}
      data_sources:
        - {name: driver_stats, type: file, path: driver_stats.parquet, timestamp_field: ts}
      feature_views:
        - name: driver_hourly_stats
          entities: [driver]
          source: driver_stats
          ttl: 1d
          features:
            - {name: conv_rate, dtype: FLOAT}
      """;
  private static final int[] WRITERS = {1, 8, 32};

  private RecordIntervalBenchmark() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 640;
    Path folder = Files.createTempDirectory("sluice-bench-");
    Path definitions = Files.writeString(folder.resolve("definitions.yaml"), DEFINITIONS);
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            "%-11s %7s %6s %8s %8s %8s %9s",
            "database", "writers", "calls", "p50 ms", "p99 ms", "max ms", "calls/s"));
    try (PostgresServer postgres = PostgresServer.start();
        MariaDbServer mariadb = MariaDbServer.start()) {
      List<RegistryConfig> configs =
          List.of(
              RegistryConfig.sqlite(folder.resolve("registry.db")),
              new RegistryConfig(
                  RegistryDialect.POSTGRESQL,
                  postgres.jdbcUrl(),
                  postgres.user(),
                  postgres.password()),
              new RegistryConfig(
                  RegistryDialect.MYSQL, mariadb.jdbcUrl(), mariadb.user(), mariadb.password()));
      for (RegistryConfig config : configs) {
        try (SqlRegistry setup = SqlRegistry.open(config)) {
          setup.ensureSchema();
        }
        // Warm-up: JIT, connection paths, database caches.
        run(config, definitions, 4, 200);
        for (int writers : WRITERS) {
          long[] latencies = new long[calls];
          double seconds = run(config, definitions, writers, calls, latencies);
          Arrays.sort(latencies);
          lines.add(
              String.format(
                  "%-11s %7d %6d %8.2f %8.2f %8.2f %9.0f",
                  config.dialect(),
                  writers,
                  calls,
                  latencies[calls / 2] / 1e6,
                  latencies[(int) Math.ceil(calls * 0.99) - 1] / 1e6,
                  latencies[calls - 1] / 1e6,
                  calls / seconds));
          System.out.println(lines.get(lines.size() - 1));
        }
      }
    }
    try (var paths = Files.walk(folder)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
    System.out.println();
    lines.forEach(System.out::println);
  }

  private static void run(RegistryConfig config, Path definitions, int writers, int calls)
      throws Exception {
    run(config, definitions, writers, calls, new long[calls]);
  }

  /** Records {@code calls} intervals with {@code writers} threads; returns the elapsed seconds. */
  private static double run(
      RegistryConfig config, Path definitions, int writers, int calls, long[] latencies)
      throws Exception {
    String project = "bench_" + UUID.randomUUID().toString().replace("-", "");
    try (SqlRegistry setup = SqlRegistry.open(config)) {
      setup.apply(project, definitions);
    }
    Instant base = Instant.parse("2024-01-01T00:00:00Z");
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch connected = new CountDownLatch(writers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    int perWriter = calls / writers;
    for (int w = 0; w < writers; w++) {
      int writer = w;
      futures.add(
          pool.submit(
              () -> {
                try (SqlRegistry registry = SqlRegistry.open(config)) {
                  connected.countDown();
                  go.await();
                  for (int i = 0; i < perWriter; i++) {
                    long slot = (long) i * writers + writer;
                    Instant start = base.plus(Duration.ofHours(slot));
                    String runId =
                        registry.startRun(
                            project,
                            "driver_hourly_stats",
                            new TimeInterval(start, start.plus(Duration.ofHours(1))),
                            "benchmark");
                    long began = System.nanoTime();
                    registry.completeRun(runId, RunStats.NONE);
                    latencies[writer * perWriter + i] = System.nanoTime() - began;
                  }
                }
                return null;
              }));
    }
    connected.await();
    long began = System.nanoTime();
    go.countDown();
    for (Future<?> future : futures) {
      future.get();
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    pool.shutdown();
    try (SqlRegistry check = SqlRegistry.open(config)) {
      int intervals = check.intervals(project, "driver_hourly_stats").size();
      if (intervals != 1) {
        throw new IllegalStateException("Expected one coalesced interval, found " + intervals);
      }
    }
    return seconds;
  }
}
