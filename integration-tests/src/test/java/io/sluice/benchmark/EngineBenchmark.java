package io.sluice.benchmark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.timestamp_seconds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.engine.cli.SluiceMain;
import io.sluice.testing.RedisServer;
import io.sluice.testing.SparkCluster;
import io.sluice.testing.TempDirs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * The materialization job end to end, as an operator runs it: {@code submit/bin/sluice materialize}
 * through spark-submit (client mode) to a standalone Spark master and worker started here, writing
 * to a real redis-server. Reports seconds per stage and in all, and the driver's heap, for a small
 * and a large input (default 1M rows over 100k entities and 10M rows over 1M entities, 10 FLOAT
 * features; the worker has 2 cores).
 *
 * <p>Driver heap: the driver JVM (1 GB) writes a GC log; the figure is the largest heap occupancy
 * after a collection during the run, which would grow with anything retained on the driver (rows
 * collected, per-row state). Flat from 1M to 10M rows means the rows stream through the executors.
 * Executors run in the worker's own JVMs, so their memory is not in this figure.
 *
 * <p>Run: {@code integration-tests/run-benchmark EngineBenchmark [repetitions] [sizes…]} (defaults
 * 3, 1000000 10000000). Needs the application jar ({@code mvn package}).
 */
public final class EngineBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long START = 1_714_521_600L; // 2024-05-01T00:00:00Z
  private static final Path ROOT = Path.of(".").toAbsolutePath().normalize();

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
    try (RedisServer redis = RedisServer.start();
        SparkCluster cluster = SparkCluster.start(dir.resolve("spark"), 2, "6g")) {
      generate(dir, sizes);
      Map<Long, List<JsonNode>> results = new TreeMap<>();
      for (int r = 0; r < repetitions; r++) {
        for (long size : sizes) {
          redis.cli("flushall");
          Path repo = repo(dir, size, redis.port(), r);
          apply(repo);
          JsonNode result = measure(repo, cluster);
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

  private static void apply(Path repo) {
    StringWriter out = new StringWriter();
    int exit =
        SluiceMain.execute(
            new PrintWriter(out, true),
            new PrintWriter(System.err, true),
            "apply",
            "--config",
            repo.resolve("feature_store.yaml").toString(),
            "--definitions",
            repo.resolve("definitions.yaml").toString());
    if (exit != 0) {
      throw new IllegalStateException("apply failed: " + out);
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
        "project: bench\nregistry: {registry_type: sql, path: \"sqlite:///"
            + repo.resolve("registry.db").toAbsolutePath()
            + "\"}\n"
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

  private static JsonNode measure(Path repo, SparkCluster cluster) throws Exception {
    Path gcLog = repo.resolve("driver-gc.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                ROOT.resolve("submit/bin/sluice").toString(),
                "materialize",
                "--config",
                repo.resolve("feature_store.yaml").toString(),
                "--feature-view",
                "stats",
                "--start",
                "2024-05-01T00:00:00Z",
                "--end",
                "2024-05-02T00:00:00Z")
            .redirectError(repo.resolve("driver.err").toFile());
    builder.environment().put("SPARK_HOME", cluster.sparkHome().toString());
    builder
        .environment()
        .put(
            "SLUICE_SUBMIT_ARGS",
            "--master "
                + cluster.masterUrl()
                + " --driver-memory 1g --executor-memory 4g"
                + " --conf spark.driver.extraJavaOptions=-Xlog:gc:file="
                + gcLog
                + " --conf spark.sql.shuffle.partitions=8");
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(
          "Run failed:\n" + out + Files.readString(repo.resolve("driver.err")));
    }
    String[] lines = out.strip().split("\n");
    JsonNode report = JSON.readTree(lines[lines.length - 1]);
    return JSON.createObjectNode()
        .put("driver_heap_after_gc_mb", maxHeapAfterGc(gcLog))
        .set("report", report);
  }

  /** The largest heap after a collection in a unified JVM GC log ("… 123M->45M(1024M) …"). */
  static long maxHeapAfterGc(Path gcLog) throws Exception {
    Matcher after = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher("");
    long max = 0;
    for (String line : Files.readAllLines(gcLog)) {
      if (after.reset(line).find()) {
        max = Math.max(max, Long.parseLong(after.group(2)));
      }
    }
    return max;
  }

  private static void print(Map<Long, List<JsonNode>> results) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%12s %9s %7s %14s %8s %8s %10s %15s%n",
        "rows",
        "total s",
        "plan s",
        "read+reduce s",
        "write s",
        "record s",
        "rows/s",
        "driver heap MB");
    for (Map.Entry<Long, List<JsonNode>> entry : results.entrySet()) {
      List<JsonNode> runs = entry.getValue();
      double total = median(runs, "total");
      System.out.printf(
          Locale.ROOT,
          "%,12d %9.1f %7.1f %14.1f %8.1f %8.2f %,10.0f %15.0f%n",
          entry.getKey(),
          total,
          median(runs, "plan"),
          median(runs, "read_reduce"),
          median(runs, "write"),
          median(runs, "record"),
          entry.getKey() / total,
          medianOf(runs.stream().map(r -> r.get("driver_heap_after_gc_mb").asDouble()).toList()));
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
}
