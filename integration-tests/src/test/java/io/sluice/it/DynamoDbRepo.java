package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.hash.Hashing;
import feast.proto.types.ValueProto.Value;
import io.sluice.engine.cli.SluiceMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;

/**
 * A feature repo in a temporary folder for the DynamoDB store: a SQLite registry, a DynamoDB online
 * store at a dynalite endpoint, and driver stats as CSV written here in plain Java from rows this
 * class keeps, so the expected latest rows are computed independently of the engine (and a launcher
 * test needs no Spark of its own). Items are read and written raw, in Feast's layout, through a
 * client of the test's own.
 */
final class DynamoDbRepo {
  static final Instant DAY1 = Instant.parse("2024-05-01T00:00:00Z");
  static final Instant DAY2 = Instant.parse("2024-05-02T00:00:00Z");
  static final Instant DAY3 = Instant.parse("2024-05-03T00:00:00Z");
  static final String VIEW = "driver_stats";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  static final String DEFINITIONS =
      """
      entities:
        - {name: driver, join_key: driver_id, value_type: INT64}
      data_sources:
        - {name: stats, type: file, path: stats.csv, file_format: csv, timestamp_field: event_timestamp}
      feature_views:
        - name: driver_stats
          entities: [driver]
          source: stats
          ttl: 2d
          features:
            - {name: conv_rate, dtype: FLOAT}
            - {name: trips, dtype: INT64}
            - {name: note, dtype: STRING}
      """;

  /** One source row. */
  record Stat(long driver, Instant event, double convRate, long trips, String note) {}

  final Path dir;
  final String project;
  final List<Stat> rows;

  private DynamoDbRepo(Path dir, String project, List<Stat> rows) {
    this.dir = dir;
    this.project = project;
    this.rows = rows;
  }

  /**
   * {@code drivers} drivers, a row every 3 hours from DAY1 to DAY3 at a random millisecond within
   * the 3 hours (so some event times have a fraction, some not), applied to the registry. {@code
   * storeYaml} is the {@code online_store} section and anything after it.
   */
  static DynamoDbRepo create(Path dir, String project, int drivers, String storeYaml) {
    Random random = new Random(project.hashCode());
    List<Stat> rows = new ArrayList<>();
    for (long driver = 1; driver <= drivers; driver++) {
      for (Instant t = DAY1; t.isBefore(DAY3); t = t.plusSeconds(3 * 3600)) {
        Instant event =
            random.nextBoolean()
                ? t.plusSeconds(random.nextInt(3 * 3600))
                : t.plusMillis(random.nextInt(3 * 3600_000));
        rows.add(
            new Stat(driver, event, random.nextInt(1000) / 1000.0, random.nextInt(500), "n" + t));
      }
    }
    return create(dir, project, rows, storeYaml);
  }

  static DynamoDbRepo create(Path dir, String project, List<Stat> rows, String storeYaml) {
    StringBuilder csv = new StringBuilder("driver_id,event_timestamp,conv_rate,trips,note\n");
    for (Stat row : rows) {
      csv.append(row.driver())
          .append(',')
          .append(row.event())
          .append(',')
          .append(row.convRate())
          .append(',')
          .append(row.trips())
          .append(',')
          .append(row.note())
          .append('\n');
    }
    write(dir.resolve("stats.csv"), csv.toString());
    write(dir.resolve("definitions.yaml"), DEFINITIONS);
    write(
        dir.resolve("feature_store.yaml"),
        "project: "
            + project
            + "\nregistry:\n  registry_type: sql\n  path: sqlite:///"
            + dir.resolve("registry.db").toAbsolutePath()
            + "\n"
            + storeYaml
            + "entity_key_serialization_version: 3\n");
    return new DynamoDbRepo(dir, project, rows);
  }

  /** The store section for a DynamoDB endpoint, with a short retry budget and 2 partitions. */
  static String dynamoDbStore(String region, String endpointUrl, int retrySeconds) {
    return "online_store:\n  type: dynamodb\n  region: "
        + region
        + "\n"
        + (endpointUrl == null ? "" : "  endpoint_url: " + endpointUrl + "\n")
        + "batch_engine:\n  type: spark.engine\n  partitions: 2\n"
        + "materialization:\n  online_write_batch_size: 50\n"
        + "sluice:\n  write_retry_seconds: "
        + retrySeconds
        + "\n";
  }

  Path config() {
    return dir.resolve("feature_store.yaml");
  }

  String table() {
    return project + "." + VIEW;
  }

  /** One command run in this JVM. */
  record Result(int exitCode, String out, String err) {
    /** The last line of stdout as JSON (the report), asserting its exit_code is the process's. */
    JsonNode report() {
      String[] lines = out.strip().split("\n");
      try {
        JsonNode last = JSON.readTree(lines[lines.length - 1]);
        assertThat(last.get("exit_code").asInt()).as(err).isEqualTo(exitCode);
        return last;
      } catch (IOException | RuntimeException e) {
        throw new AssertionError("stdout: " + out + "\nstderr: " + err, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  /** {@code sluice <command> --config <this repo> <args>} in this JVM. */
  Result run(String command, String... args) {
    List<String> all = new ArrayList<>(List.of(command, "--config", config().toString()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        SluiceMain.execute(
            new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Result(exit, out.toString(), err.toString());
  }

  Result materialize(Instant start, Instant end, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("--feature-view", VIEW, "--start", start.toString(), "--end", end.toString()));
    args.addAll(List.of(extra));
    return run("materialize", args.toArray(String[]::new));
  }

  void apply() {
    Result applied = run("apply", "--definitions", dir.resolve("definitions.yaml").toString());
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
  }

  /** The recorded intervals, as the {@code intervals} command prints them. */
  String intervals() {
    Result result = run("intervals", "--feature-view", VIEW);
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result.report().get("intervals").toString();
  }

  /** The view's runs, newest first, as {@code runs --json} prints them. */
  JsonNode runs() {
    Result result = run("runs", "--json", "--feature-view", VIEW);
    assertThat(result.exitCode()).as(result.toString()).isZero();
    try {
      return JSON.readTree(result.out().strip()).get("runs");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asserts what every failed run leaves: no interval, and its run row FAILED with the error the
   * report gave.
   */
  void assertFailedRunRecordedNothing(JsonNode report) {
    assertThat(intervals()).isEqualTo("[]");
    JsonNode runs = runs();
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).get("run_id").asText()).isEqualTo(report.get("run_id").asText());
    assertThat(runs.get(0).get("status").asText()).isEqualTo("FAILED");
    assertThat(runs.get(0).get("error").asText()).isEqualTo(report.get("error").asText());
  }

  /** driver → the expected latest row in [start, end), computed from the kept rows. */
  Map<Long, Stat> expectedLatest(Instant start, Instant end) {
    Map<Long, Stat> latest = new TreeMap<>();
    for (Stat row : rows) {
      if (row.event().isBefore(start) || !row.event().isBefore(end)) {
        continue;
      }
      Stat current = latest.get(row.driver());
      if (current == null || current.event().isBefore(row.event())) {
        latest.put(row.driver(), row);
      }
    }
    return latest;
  }

  // ---- raw DynamoDB, in Feast's layout ----

  /** A client of the test's own, with static credentials (dynalite accepts any). */
  static DynamoDbClient rawClient(String endpointUrl) {
    return DynamoDbClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(endpointUrl))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
        .httpClient(Apache5HttpClient.create())
        .build();
  }

  /** Creates the view's table as Feast does (hash key entity_id of type S), waiting for it. */
  void createTable(DynamoDbClient raw, String keyName, ScalarAttributeType keyType) {
    raw.createTable(
        create ->
            create
                .tableName(table())
                .keySchema(k -> k.attributeName(keyName).keyType(KeyType.HASH))
                .attributeDefinitions(a -> a.attributeName(keyName).attributeType(keyType))
                .billingMode(BillingMode.PAY_PER_REQUEST));
    // The SDK's default waiter polls every 20 s; dynalite needs half a second.
    try (DynamoDbWaiter waiter =
        DynamoDbWaiter.builder()
            .client(raw)
            .overrideConfiguration(
                o ->
                    o.backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(100)))
                        .maxAttempts(300))
            .build()) {
      waiter.waitUntilTableExists(d -> d.tableName(table()));
    }
  }

  /** Feast's entity_id: MurmurHash3 x64 128 of the v3 entity key bytes, lowercase hex. */
  static String entityId(long driver) {
    byte[] key = DriverKeys.entityKey(driver);
    return Hashing.murmur3_128().hashBytes(key).toString();
  }

  /** Python's {@code str()} of an aware UTC datetime: Feast's event_ts text. */
  static String feastEventTs(Instant time) {
    String text = SECONDS.format(time);
    int micros = time.getNano() / 1000;
    return (micros == 0 ? text : text + String.format(Locale.ROOT, ".%06d", micros)) + "+00:00";
  }

  Map<String, AttributeValue> item(DynamoDbClient raw, long driver) {
    return raw.getItem(
            get ->
                get.tableName(table())
                    .key(Map.of("entity_id", AttributeValue.fromS(entityId(driver))))
                    .consistentRead(true))
        .item();
  }

  /** An item as Feast's {@code _to_client_write_item} builds it, with any event_ts text. */
  void putAsFeast(DynamoDbClient raw, long driver, String eventTs, long trips) {
    raw.putItem(
        put ->
            put.tableName(table())
                .item(
                    Map.of(
                        "entity_id", AttributeValue.fromS(entityId(driver)),
                        "event_ts", AttributeValue.fromS(eventTs),
                        "values",
                            AttributeValue.fromM(
                                Map.of(
                                    "conv_rate",
                                    bytes(Value.newBuilder().setFloatVal(0.5f).build()),
                                    "trips",
                                    bytes(Value.newBuilder().setInt64Val(trips).build()),
                                    "note",
                                    bytes(Value.newBuilder().setStringVal("feast").build()))))));
  }

  private static AttributeValue bytes(Value value) {
    return AttributeValue.fromB(SdkBytes.fromByteArray(value.toByteArray()));
  }

  /**
   * The differences between the stored items and {@code expected} (event_ts text, the three values,
   * nothing else in the item); empty when every item is as expected.
   */
  List<String> differences(DynamoDbClient raw, Map<Long, Stat> expected) {
    List<String> wrong = new ArrayList<>();
    for (Stat want : expected.values()) {
      Map<String, AttributeValue> item = item(raw, want.driver());
      try {
        if (item.isEmpty()) {
          wrong.add(want + ": no item");
          continue;
        }
        Map<String, AttributeValue> values = item.get("values").m();
        String eventTs = item.get("event_ts").s();
        float rate = Value.parseFrom(values.get("conv_rate").b().asByteArray()).getFloatVal();
        long trips = Value.parseFrom(values.get("trips").b().asByteArray()).getInt64Val();
        String note = Value.parseFrom(values.get("note").b().asByteArray()).getStringVal();
        if (!eventTs.equals(feastEventTs(want.event()))
            || rate != (float) want.convRate()
            || trips != want.trips()
            || !note.equals(want.note())
            || item.size() != 3
            || values.size() != 3) {
          wrong.add(want + " stored as " + eventTs + "," + rate + "," + trips + "," + note);
        }
      } catch (Exception e) {
        wrong.add(want + ": " + e);
      }
    }
    return wrong;
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
