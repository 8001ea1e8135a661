package io.sluice.benchmark;

import static feast.proto.types.ValueProto.ValueType.Enum.FLOAT;
import static feast.proto.types.ValueProto.ValueType.Enum.INT64;

import io.sluice.common.feast.Column;
import io.sluice.common.feast.ProtoTimestamps;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.format.RowEncoder;
import io.sluice.online.format.RowEncoder.EncodedRow;
import io.sluice.online.redis.RedisFields;
import io.sluice.online.redis.RedisOnlineStoreConfig;
import io.sluice.online.redis.RedisOnlineStoreConfig.Node;
import io.sluice.online.redis.RedisOnlineStoreConfig.RedisType;
import io.sluice.online.sqlite.SqliteOnlineStoreConfig;
import io.sluice.online.stores.OnlineStores;
import io.sluice.testing.RedisServer;
import io.sluice.testing.TempDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Online writer throughput, measured side by side in one run against a real redis-server:
 *
 * <ul>
 *   <li>the limit: a plain pipelined Jedis {@code HSET} loop writing the same bytes (already
 *       encoded, one connection, the same batch size);
 *   <li>the Redis writer in FORCE mode (plain {@code HSET}s, encoding included);
 *   <li>the Redis writer in NEWER_ONLY mode (a Lua check-and-write per entity);
 *   <li>the SQLite writer (newer-only), on a local file.
 * </ul>
 *
 * <p>Data: {@code rows} rows over {@code rows / 10} entities with 10 FLOAT features; the entities
 * are written in rounds with increasing event times, so every newer-only write passes its check
 * (the expensive case). Each repetition runs the three Redis variants in rotating order on a
 * flushed server; the report gives medians of rows/s and of the per-repetition ratios.
 *
 * <p>Run: {@code integration-tests/run-benchmark OnlineWriterBenchmark [rows] [repetitions]
 * [sqliteRepetitions]} (defaults 1000000, 5, 3).
 */
public final class OnlineWriterBenchmark {
  private static final int BATCH = 1000;
  private static final int FEATURES = 10;

  private OnlineWriterBenchmark() {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int sqliteRepetitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    FeatureViewSchema view = view();
    List<List<FeatureRow>> batches = rows(view, rows);
    List<List<EncodedRow>> encoded = encode(view, batches);

    List<double[]> redisResults = new ArrayList<>(); // plain, force, newer-only rows/s
    try (RedisServer server = RedisServer.start()) {
      RedisOnlineStoreConfig config =
          new RedisOnlineStoreConfig(
              RedisType.REDIS,
              List.of(new Node("127.0.0.1", server.port())),
              null,
              null,
              false,
              0,
              0);
      // One warm-up pass of each, not reported.
      runRepetition(server, config, view, batches, encoded, 0);
      for (int r = 0; r < repetitions; r++) {
        double[] result = runRepetition(server, config, view, batches, encoded, r);
        redisResults.add(result);
        System.out.printf(
            Locale.ROOT,
            "repetition %d: plain %,.0f rows/s, force %,.0f rows/s, newer-only %,.0f rows/s%n",
            r + 1,
            result[0],
            result[1],
            result[2]);
      }
    }

    List<Double> sqlite = new ArrayList<>();
    for (int r = 0; r < sqliteRepetitions; r++) {
      Path dir = TempDirs.create("bench-sqlite");
      try {
        SqliteOnlineStoreConfig config =
            new SqliteOnlineStoreConfig(dir.resolve("online.db").toString());
        double rate =
            timeWriter(OnlineStores.openWriter(config, view, WriteOptions.defaults()), batches);
        sqlite.add(rate);
        System.out.printf(Locale.ROOT, "sqlite repetition %d: %,.0f rows/s%n", r + 1, rate);
      } finally {
        TempDirs.delete(dir);
      }
    }

    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%,d rows, %,d entities, %d FLOAT features, batch %d, %d repetitions (median)%n",
        rows,
        rows / 10,
        FEATURES,
        BATCH,
        repetitions);
    System.out.printf(Locale.ROOT, "%-34s %12s %10s%n", "variant", "rows/s", "vs plain");
    String[] names = {
      "plain pipelined HSET (the limit)", "Redis writer, force", "Redis writer, newer-only"
    };
    for (int v = 0; v < 3; v++) {
      int variant = v;
      double rate = median(redisResults.stream().map(result -> result[variant]).toList());
      double ratio =
          median(redisResults.stream().map(result -> result[variant] / result[0]).toList());
      System.out.printf(Locale.ROOT, "%-34s %,12.0f %9.2fx%n", names[v], rate, ratio);
    }
    if (!sqlite.isEmpty()) {
      System.out.printf(
          Locale.ROOT, "%-34s %,12.0f %10s%n", "SQLite writer, newer-only", median(sqlite), "-");
    }
  }

  private static double[] runRepetition(
      RedisServer server,
      RedisOnlineStoreConfig config,
      FeatureViewSchema view,
      List<List<FeatureRow>> batches,
      List<List<EncodedRow>> encoded,
      int rotation) {
    double[] result = new double[3];
    for (int i = 0; i < 3; i++) {
      int variant = (i + rotation) % 3;
      flush(server);
      result[variant] =
          switch (variant) {
            case 0 -> timePlainLoop(server, view, encoded);
            case 1 ->
                timeWriter(
                    OnlineStores.openWriter(
                        config, view, WriteOptions.defaults().withMode(WriteMode.FORCE)),
                    batches);
            default ->
                timeWriter(OnlineStores.openWriter(config, view, WriteOptions.defaults()), batches);
          };
    }
    return result;
  }

  private static double timeWriter(OnlineWriter writer, List<List<FeatureRow>> batches) {
    long rows = 0;
    long start = System.nanoTime();
    try (writer) {
      for (List<FeatureRow> batch : batches) {
        WriteStats stats = writer.write(batch);
        rows += stats.written();
      }
    }
    long elapsed = System.nanoTime() - start;
    long expected = batches.stream().mapToLong(List::size).sum();
    if (rows != expected) {
      throw new IllegalStateException("Expected " + expected + " rows written, got " + rows);
    }
    return rows / (elapsed / 1e9);
  }

  /** The limit: HSET of pre-encoded bytes, pipelined per batch, on one connection. */
  private static double timePlainLoop(
      RedisServer server, FeatureViewSchema view, List<List<EncodedRow>> encoded) {
    byte[] project = view.project().getBytes(StandardCharsets.UTF_8);
    byte[] timestampField = RedisFields.timestampField(view.name());
    byte[][] fields =
        view.features().stream()
            .map(feature -> RedisFields.featureField(view.name(), feature.name()))
            .toArray(byte[][]::new);
    List<List<Object[]>> prepared = new ArrayList<>();
    for (List<EncodedRow> batch : encoded) {
      List<Object[]> commands = new ArrayList<>(batch.size());
      for (EncodedRow row : batch) {
        Map<byte[], byte[]> hash = new LinkedHashMap<>();
        hash.put(timestampField, ProtoTimestamps.toProto(row.eventTimestamp()).toByteArray());
        for (int i = 0; i < fields.length; i++) {
          hash.put(fields[i], row.values()[i]);
        }
        commands.add(new Object[] {RedisFields.key(row.entityKey(), project), hash});
      }
      prepared.add(commands);
    }
    long rows = 0;
    long start = System.nanoTime();
    try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
      for (List<Object[]> batch : prepared) {
        Pipeline pipeline = jedis.pipelined();
        for (Object[] command : batch) {
          @SuppressWarnings("unchecked")
          Map<byte[], byte[]> hash = (Map<byte[], byte[]>) command[1];
          pipeline.hset((byte[]) command[0], hash);
        }
        pipeline.sync();
        rows += batch.size();
      }
    }
    return rows / ((System.nanoTime() - start) / 1e9);
  }

  private static FeatureViewSchema view() {
    List<Column> features = new ArrayList<>();
    for (int i = 0; i < FEATURES; i++) {
      features.add(new Column("f" + i, FLOAT));
    }
    return new FeatureViewSchema(
        "bench", "driver_stats", List.of(new Column("driver_id", INT64)), features);
  }

  /** Rounds of all entities with increasing event times, cut into batches. */
  private static List<List<FeatureRow>> rows(FeatureViewSchema view, int rows) {
    int entities = Math.max(1, rows / 10);
    Random random = new Random(42);
    Instant base = Instant.parse("2024-01-01T00:00:00Z");
    List<List<FeatureRow>> batches = new ArrayList<>();
    List<FeatureRow> batch = new ArrayList<>(BATCH);
    for (int row = 0; row < rows; row++) {
      long entity = row % entities;
      int round = row / entities;
      Object[] values = new Object[FEATURES];
      for (int i = 0; i < FEATURES; i++) {
        values[i] = random.nextFloat();
      }
      batch.add(
          FeatureRow.of(List.of(entity), base.plusSeconds(round * 3600L), Arrays.asList(values)));
      if (batch.size() == BATCH) {
        batches.add(batch);
        batch = new ArrayList<>(BATCH);
      }
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  private static List<List<EncodedRow>> encode(
      FeatureViewSchema view, List<List<FeatureRow>> batches) {
    RowEncoder encoder = new RowEncoder(view, EntityKeyFormat.V3);
    return batches.stream().map(batch -> batch.stream().map(encoder::encode).toList()).toList();
  }

  private static void flush(RedisServer server) {
    server.cli("flushall");
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
