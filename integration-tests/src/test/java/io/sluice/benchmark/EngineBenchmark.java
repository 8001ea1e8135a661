package io.sluice.benchmark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.timestamp_seconds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.cli.SluiceMain;
import io.sluice.testing.JavaProcess;
import io.sluice.testing.RedisServer;
import io.sluice.testing.TempDirs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * The materialization job end to end against a real redis-server, Spark local[2]: seconds per stage
 * and in all, and the JVM's live heap, for a small and a large input (default 1M rows over 100k
 * entities and 10M rows over 1M entities, 10 FLOAT features). Each measured run is its own JVM
 * ({@code -Xmx3g}) running {@code sluice materialize}.
 *
 * <p>Heap: local mode runs the driver and the executors in one JVM, so the figure is the JVM's
 * largest live heap after a garbage collection (old generation), which grows with anything
 * retained, such as rows collected to the driver. A flat figure from 1M to 10M rows shows rows
 * stream through.
 *
 * <p>Run: {@code integration-tests/run-benchmark EngineBenchmark [repetitions] [sizes…]} (defaults
 * 3, 1000000 10000000).
 */
public final class EngineBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long START = 1_714_521_600L; // 2024-05-01T00:00:00Z

  private EngineBenchmark() {}

  public static void main(String[] args) throws Exception {
    int repetitions = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    List<Long> sizes = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      sizes.add(Long.parseLong(args[i]));
    }
    if (sizes.isEmpty()) {
      sizes = List.of(1_000_000L, 10_000_000L);
    }
    Path dir = TempDirs.create("bench-engine");
    try (RedisServer redis = RedisServer.start()) {
      generate(dir, sizes);
      Map<Long, List<JsonNode>> results = new TreeMap<>();
      for (int r = 0; r < repetitions; r++) {
        for (long size : sizes) {
          redis.cli("flushall");
          Path repo = repo(dir, size, redis.port(), r);
          JsonNode result = measure(repo);
          results.computeIfAbsent(size, s -> new ArrayList<>()).add(result);
          System.out.println("run " + (r + 1) + ", " + size + " rows: " + result);
        }
      }
      print(results);
    } finally {
      TempDirs.delete(dir);
    }
  }

  /** Parquet inputs: {@code size} rows over {@code size / 10} entities, one day of events. */
  private static void generate(Path dir, List<Long> sizes) {
    SparkSession spark =
        SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      for (long size : sizes) {
        Column id = col("id");
        List<Column> columns = new ArrayList<>();
        columns.add(pmod(id, lit(size / 10)).as("driver_id"));
        columns.add(timestamp_seconds(lit(START).plus(pmod(hash(id), lit(86_400)))).as("ts"));
        for (int f = 0; f < 10; f++) {
          columns.add(
              pmod(hash(id, lit(f)), lit(1_000_000))
                  .divide(1e6)
                  .cast(DataTypes.FloatType)
                  .as("f" + f));
        }
        spark
            .range(size)
            .select(columns.toArray(Column[]::new))
            .write()
            .parquet(dir.resolve("rows-" + size + ".parquet").toString());
      }
    } finally {
      spark.stop();
    }
  }

  /** A fresh feature repo (its own SQLite registry) for one run over one input. */
  private static Path repo(Path dir, long size, int redisPort, int repetition) throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo-" + size + "-" + repetition));
    StringBuilder features = new StringBuilder();
    for (int f = 0; f < 10; f++) {
      features.append("      - {name: f").append(f).append(", dtype: FLOAT}\n");
    }
    Files.writeString(
        repo.resolve("feature_store.yaml"),
        "project: bench\nregistry: {registry_type: sql, path: \"sqlite:///registry.db\"}\n"
            + "online_store: {type: redis, connection_string: \"127.0.0.1:"
            + redisPort
            + "\"}\n");
    Files.writeString(
        repo.resolve("definitions.yaml"),
        "entities:\n  - {name: driver, join_key: driver_id, value_type: INT64}\n"
            + "data_sources:\n  - {name: rows, type: file, path: "
            + dir.resolve("rows-" + size + ".parquet")
            + ", timestamp_field: ts}\n"
            + "feature_views:\n  - name: stats\n    entities: [driver]\n    source: rows\n"
            + "    features:\n"
            + features);
    return repo;
  }

  private static JsonNode measure(Path repo) {
    try (JavaProcess child =
        JavaProcess.start(
            Child.class,
            List.of("-Xmx1g", "-Dspark.master=local[2]", "-Dspark.ui.enabled=false"),
            List.of(repo.toString()))) {
      String output = child.awaitSuccess(Duration.ofMinutes(30));
      String[] lines = output.strip().split("\n");
      try {
        return JSON.readTree(lines[lines.length - 1]);
      } catch (Exception e) {
        throw new IllegalStateException("Unexpected benchmark output:\n" + output, e);
      }
    }
  }

  private static void print(Map<Long, List<JsonNode>> results) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%12s %9s %7s %12s %8s %8s %10s %14s%n",
        "rows",
        "total s",
        "plan s",
        "read+reduce s",
        "write s",
        "record s",
        "rows/s",
        "live heap MB");
    for (Map.Entry<Long, List<JsonNode>> entry : results.entrySet()) {
      List<JsonNode> runs = entry.getValue();
      double total = median(runs, "total");
      System.out.printf(
          Locale.ROOT,
          "%,12d %9.1f %7.1f %12.1f %8.1f %8.2f %,10.0f %14.0f%n",
          entry.getKey(),
          total,
          median(runs, "plan"),
          median(runs, "read_reduce"),
          median(runs, "write"),
          median(runs, "record"),
          entry.getKey() / total,
          medianOf(runs.stream().map(r -> r.get("live_heap_mb").asDouble()).toList()));
    }
  }

  private static double median(List<JsonNode> runs, String stage) {
    return medianOf(
        runs.stream().map(r -> r.get("report").get("seconds").get(stage).asDouble()).toList());
  }

  private static double medianOf(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** One measured run: apply, then materialize the whole day; prints the report and heap. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      Path repo = Path.of(args[0]);
      String config = repo.resolve("feature_store.yaml").toString();
      run(
          "apply",
          "--config",
          config,
          "--definitions",
          repo.resolve("definitions.yaml").toString());
      JsonNode report =
          run(
              "materialize",
              "--config",
              config,
              "--feature-view",
              "stats",
              "--start",
              "2024-05-01T00:00:00Z",
              "--end",
              "2024-05-02T00:00:00Z");
      if (!"SUCCEEDED".equals(report.get("status").asText())) {
        throw new IllegalStateException("Run failed: " + report);
      }
      long liveBytes = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP
            && pool.getName().contains("Old")
            && pool.getCollectionUsage() != null) {
          liveBytes = Math.max(liveBytes, pool.getCollectionUsage().getUsed());
        }
      }
      long peakBytes = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peakBytes += pool.getPeakUsage().getUsed();
        }
      }
      System.out.println(
          JSON.createObjectNode()
              .put("live_heap_mb", liveBytes / 1e6)
              .put("peak_heap_mb", peakBytes / 1e6)
              .set("report", report));
    }

    private static JsonNode run(String... args) throws Exception {
      StringWriter out = new StringWriter();
      SluiceMain.execute(new PrintWriter(out, true), new PrintWriter(System.err, true), args);
      String[] lines = out.toString().strip().split("\n");
      return JSON.readTree(lines[lines.length - 1]);
    }
  }
}
