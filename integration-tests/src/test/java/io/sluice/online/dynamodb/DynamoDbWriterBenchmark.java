package io.sluice.online.dynamodb;

import static feast.proto.types.ValueProto.ValueType.Enum.FLOAT;
import static feast.proto.types.ValueProto.ValueType.Enum.INT64;

import io.sluice.common.feast.Column;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.format.RowEncoder;
import io.sluice.testing.DynaliteServer;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * DynamoDB writer throughput against dynalite, measured side by side in one run:
 *
 * <ul>
 *   <li>the limit: a plain loop of BatchWriteItem calls from one thread, 25 pre-built items a call
 *       (the server's own rate for unconditional writes);
 *   <li>the writer in FORCE mode (BatchWriteItem on its pool);
 *   <li>the writer in NEWER_ONLY mode (one conditional PutItem per entity) with 1, 8, 16 (the
 *       default), 32 and 128 requests in flight;
 *   <li>the alternative the store did not choose: the SDK's async client (Netty) with a bounded
 *       window of PutItems conditional on absence (what the writer sends into an empty table), 16
 *       and 128 in flight, on the same pre-built items;
 *   <li>a reference: plain PutItems without a condition from 32 threads (the server's rate for one
 *       item a request);
 *   <li>a rerun of NEWER_ONLY over items already stored (every row skipped as not newer).
 * </ul>
 *
 * <p>Every variant writes the same {@code entities} items (10 FLOAT features) into a fresh table on
 * a freshly started dynalite, so none inherits another's data or server state; each repetition
 * rotates the order of the variants. The report gives medians of rows/s, of per-repetition ratios
 * to the limit, and of the CPU time per row of the server process and of this JVM (steadier than
 * rates on a shared machine). {@code -Dbench.only=<regex>} keeps the variants whose name matches it
 * (and the limit); {@code -Dbench.endpoint=<url>} uses a server started by hand (to profile it).
 *
 * <p>Run: {@code integration-tests/run-benchmark io.sluice.online.dynamodb.DynamoDbWriterBenchmark
 * [entities] [repetitions]} (defaults 200000, 3).
 */
public final class DynamoDbWriterBenchmark {
  private static final int BATCH = 1000;
  private static final int FEATURES = 10;
  private static final int[] IN_FLIGHT = {1, 8, 16, 32, 128};
  private static final int[] ASYNC_IN_FLIGHT = {16, 128};

  private DynamoDbWriterBenchmark() {}

  private interface Variant {
    String name();

    /** Rows per second writing {@code batches} into a fresh table on {@code server}. */
    double run(String endpoint);
  }

  public static void main(String[] args) {
    int entities = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int repetitions = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    FeatureViewSchema view = view();
    List<List<FeatureRow>> batches = rows(entities);
    DynamoDbItems items = new DynamoDbItems(view);
    RowEncoder encoder = new RowEncoder(view, EntityKeyFormat.V3);
    List<Map<String, AttributeValue>> prebuilt = new ArrayList<>(entities);
    for (List<FeatureRow> batch : batches) {
      for (FeatureRow row : batch) {
        prebuilt.add(items.item(encoder.encode(row)));
      }
    }

    List<Variant> variants = new ArrayList<>();
    variants.add(variant("BatchWriteItem loop, 1 thread (limit)", s -> batchLoop(s, prebuilt)));
    variants.add(
        variant("writer, force", s -> timeWriter(s, view, WriteMode.FORCE, 16, batches, 1)));
    for (int inFlight : IN_FLIGHT) {
      variants.add(
          variant(
              "writer, newer-only, " + inFlight + " in flight",
              s -> timeWriter(s, view, WriteMode.NEWER_ONLY, inFlight, batches, 1)));
    }
    for (int inFlight : ASYNC_IN_FLIGHT) {
      variants.add(
          variant(
              "async client, conditional, " + inFlight + " in flight",
              s -> asyncWindow(s, view, prebuilt, inFlight)));
    }
    variants.add(
        variant("PutItem, no condition, 32 in flight", s -> putPool(s, view, prebuilt, 32)));
    variants.add(
        variant(
            "writer, newer-only rerun (all skipped)",
            s -> timeWriter(s, view, WriteMode.NEWER_ONLY, 16, batches, 2)));

    String only = System.getProperty("bench.only");
    if (only != null) {
      java.util.regex.Pattern keep = java.util.regex.Pattern.compile(only);
      variants.removeIf(v -> v != variants.get(0) && !keep.matcher(v.name()).find());
    }
    // One warm-up pass of the limit and of the default writer (JIT), not reported.
    runOnFreshServer(variants.get(0));
    runOnFreshServer(variants.get(variants.size() > 4 ? 4 : variants.size() - 1));
    List<double[]> results = new ArrayList<>();
    List<double[]> serverMicros = new ArrayList<>();
    List<double[]> clientMicros = new ArrayList<>();
    for (int r = 0; r < repetitions; r++) {
      double[] result = new double[variants.size()];
      double[] server = new double[variants.size()];
      double[] client = new double[variants.size()];
      for (int i = 0; i < variants.size(); i++) {
        int v = (i + r) % variants.size();
        result[v] = runOnFreshServer(variants.get(v));
        long rowsSent = variants.get(v).name().contains("rerun") ? 2L * entities : entities;
        server[v] = lastServerCpu / 1e3 / rowsSent;
        client[v] = lastClientCpu / 1e3 / rowsSent;
        System.out.printf(
            Locale.ROOT,
            "repetition %d: %-44s %,10.0f rows/s, CPU per row: server %.0f us, client %.0f us%n",
            r + 1,
            variants.get(v).name(),
            result[v],
            server[v],
            client[v]);
      }
      results.add(result);
      serverMicros.add(server);
      clientMicros.add(client);
    }

    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "%,d entities, %d FLOAT features, batch %d, dynalite %s, %d repetitions (median)%n",
        entities,
        FEATURES,
        BATCH,
        DynaliteServer.VERSION,
        repetitions);
    System.out.printf(
        Locale.ROOT,
        "%-44s %12s %10s %14s %14s%n",
        "variant",
        "rows/s",
        "vs limit",
        "server us/row",
        "client us/row");
    for (int v = 0; v < variants.size(); v++) {
      int variant = v;
      double rate = median(results.stream().map(result -> result[variant]).toList());
      double ratio = median(results.stream().map(result -> result[variant] / result[0]).toList());
      System.out.printf(
          Locale.ROOT,
          "%-44s %,12.0f %9.2fx %14.0f %14.0f%n",
          variants.get(v).name(),
          rate,
          ratio,
          median(serverMicros.stream().map(cpu -> cpu[variant]).toList()),
          median(clientMicros.stream().map(cpu -> cpu[variant]).toList()));
    }
  }

  private static Variant variant(String name, java.util.function.ToDoubleFunction<String> run) {
    return new Variant() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public double run(String endpoint) {
        return run.applyAsDouble(endpoint);
      }
    };
  }

  private static long lastServerCpu;
  private static long lastClientCpu;

  private static long clientCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Numbers the runs: each writes its own table (also on an external server). */
  private static int runNumber;

  private static double runOnFreshServer(Variant variant) {
    runNumber++;
    String external = System.getProperty("bench.endpoint");
    if (external != null) {
      // A server started by hand (to profile it).
      return variant.run(external);
    }
    try (DynaliteServer server = DynaliteServer.start()) {
      long serverBefore = server.cpuTime().toNanos();
      long clientBefore = clientCpuNanos();
      double rate = variant.run(server.endpointUrl());
      lastServerCpu = server.cpuTime().toNanos() - serverBefore;
      lastClientCpu = clientCpuNanos() - clientBefore;
      return rate;
    }
  }

  private static DynamoDbOnlineStoreConfig config(String endpoint, int inFlight) {
    return new DynamoDbOnlineStoreConfig(
        "us-east-1",
        endpoint,
        new TableNameTemplate("run" + runNumber + "." + TableNameTemplate.DEFAULT),
        Map.of(),
        inFlight);
  }

  /**
   * Times the store's writer over every batch, {@code passes} times (the last pass timed alone when
   * there are two: the rerun over stored items).
   */
  private static double timeWriter(
      String server,
      FeatureViewSchema view,
      WriteMode mode,
      int inFlight,
      List<List<FeatureRow>> batches,
      int passes) {
    System.setProperty("aws.accessKeyId", "bench");
    System.setProperty("aws.secretAccessKey", "bench");
    WriteOptions options = WriteOptions.defaults().withMode(mode);
    long expected = batches.stream().mapToLong(List::size).sum();
    double rate = 0;
    for (int pass = 0; pass < passes; pass++) {
      long acknowledged = 0;
      try (DynamoDbOnlineWriter writer =
          new DynamoDbOnlineWriter(config(server, inFlight), view, options)) {
        long start = System.nanoTime();
        for (List<FeatureRow> batch : batches) {
          WriteStats stats = writer.write(batch);
          acknowledged += pass == 0 ? stats.written() : stats.skippedNotNewer();
        }
        rate = acknowledged / ((System.nanoTime() - start) / 1e9);
      }
      if (acknowledged != expected) {
        throw new IllegalStateException(
            "Expected " + expected + " rows in pass " + (pass + 1) + ", got " + acknowledged);
      }
    }
    return rate;
  }

  /** The limit: BatchWriteItem of pre-built items, 25 a call, one thread, unprocessed re-sent. */
  private static double batchLoop(String server, List<Map<String, AttributeValue>> items) {
    DynamoDbOnlineStoreConfig config = config(server, 1);
    String table = config.tableNameTemplate().tableName("bench", "driver_stats");
    System.setProperty("aws.accessKeyId", "bench");
    System.setProperty("aws.secretAccessKey", "bench");
    try (DynamoDbClient client = DynamoDbClients.open(config)) {
      return batchWriteLoop(client, table, items);
    }
  }

  /**
   * Items per second writing {@code items} into {@code table} (created as Sluice creates a view's
   * table when missing) with BatchWriteItem, 25 a call, one thread, unprocessed items re-sent: the
   * limit the DynamoDB figures are measured against, here and in the performance report.
   */
  public static double batchWriteLoop(
      DynamoDbClient client, String table, List<Map<String, AttributeValue>> items) {
    DynamoDbTables.ensure(client, table, Map.of());
    long start = System.nanoTime();
    for (int from = 0; from < items.size(); from += DynamoDbOnlineWriter.BATCH_WRITE_ITEMS) {
      List<WriteRequest> pending =
          items
              .subList(from, Math.min(items.size(), from + DynamoDbOnlineWriter.BATCH_WRITE_ITEMS))
              .stream()
              .map(
                  item ->
                      WriteRequest.builder()
                          .putRequest(PutRequest.builder().item(item).build())
                          .build())
              .toList();
      while (!pending.isEmpty()) {
        List<WriteRequest> sent = pending;
        BatchWriteItemResponse response =
            client.batchWriteItem(request -> request.requestItems(Map.of(table, sent)));
        pending = response.unprocessedItems().getOrDefault(table, List.of());
      }
    }
    return items.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** The async client with at most {@code inFlight} conditional PutItems outstanding. */
  private static double asyncWindow(
      String server,
      FeatureViewSchema view,
      List<Map<String, AttributeValue>> items,
      int inFlight) {
    DynamoDbOnlineStoreConfig config = config(server, inFlight);
    String table = config.tableNameTemplate().tableName(view.project(), view.name());
    System.setProperty("aws.accessKeyId", "bench");
    System.setProperty("aws.secretAccessKey", "bench");
    try (DynamoDbClient sync = DynamoDbClients.open(config)) {
      DynamoDbTables.ensure(sync, table, Map.of());
    }
    try (DynamoDbAsyncClient client =
        DynamoDbAsyncClient.builder()
            .region(Region.of(config.region()))
            .endpointOverride(URI.create(config.endpointUrl()))
            .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(inFlight))
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      Semaphore window = new Semaphore(inFlight);
      AtomicLong written = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      long start = System.nanoTime();
      for (Map<String, AttributeValue> item : items) {
        window.acquireUninterruptibly();
        CompletableFuture<?> put =
            client.putItem(
                request ->
                    request.tableName(table).item(item).expected(DynamoDbOnlineWriter.ABSENT));
        put.whenComplete(
            (response, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
              } else {
                written.incrementAndGet();
              }
              window.release();
            });
      }
      window.acquireUninterruptibly(inFlight);
      double rate = items.size() / ((System.nanoTime() - start) / 1e9);
      if (failure.get() != null || written.get() != items.size()) {
        throw new IllegalStateException(
            "async: " + written.get() + " of " + items.size() + " written", failure.get());
      }
      return rate;
    }
  }

  /** Plain PutItems (no condition) from {@code threads} threads on the sync client. */
  private static double putPool(
      String endpoint,
      FeatureViewSchema view,
      List<Map<String, AttributeValue>> items,
      int threads) {
    DynamoDbOnlineStoreConfig config = config(endpoint, threads);
    String table = config.tableNameTemplate().tableName(view.project(), view.name());
    System.setProperty("aws.accessKeyId", "bench");
    System.setProperty("aws.secretAccessKey", "bench");
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try (DynamoDbClient client = DynamoDbClients.open(config)) {
      DynamoDbTables.ensure(client, table, Map.of());
      long start = System.nanoTime();
      List<java.util.concurrent.Future<?>> futures = new ArrayList<>(items.size());
      for (Map<String, AttributeValue> item : items) {
        futures.add(pool.submit(() -> client.putItem(put -> put.tableName(table).item(item))));
      }
      for (java.util.concurrent.Future<?> future : futures) {
        future.get();
      }
      return items.size() / ((System.nanoTime() - start) / 1e9);
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static FeatureViewSchema view() {
    List<Column> features = new ArrayList<>();
    for (int i = 0; i < FEATURES; i++) {
      features.add(new Column("f" + i, FLOAT));
    }
    return new FeatureViewSchema(
        "bench", "driver_stats", List.of(new Column("driver_id", INT64)), features);
  }

  /** One row per entity, cut into batches. */
  private static List<List<FeatureRow>> rows(int entities) {
    Random random = new Random(42);
    Instant eventTime = Instant.parse("2024-01-01T12:34:56.789Z");
    List<List<FeatureRow>> batches = new ArrayList<>();
    List<FeatureRow> batch = new ArrayList<>(BATCH);
    for (long entity = 0; entity < entities; entity++) {
      Object[] values = new Object[FEATURES];
      for (int i = 0; i < FEATURES; i++) {
        values[i] = random.nextFloat();
      }
      batch.add(FeatureRow.of(List.of(entity), eventTime, Arrays.asList(values)));
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

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
