package io.sluice.it;

import static io.sluice.it.DynamoDbRepo.DAY1;
import static io.sluice.it.DynamoDbRepo.DAY2;
import static io.sluice.it.DynamoDbRepo.DAY3;
import static io.sluice.it.DynamoDbRepo.VIEW;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feast.proto.types.ValueProto.Value;
import io.sluice.it.DynamoDbRepo.Result;
import io.sluice.it.DynamoDbRepo.Stat;
import io.sluice.testing.DynaliteServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The DynamoDB store end to end through the engine: the real {@code materialize} command in this
 * JVM, Spark in local mode, a SQLite registry, dynalite as DynamoDB. Items are read back raw
 * (Feast's layout: entity_id, event_ts text, serialized values) and through {@code sluice read},
 * and compared with the latest rows computed in plain Java from the same generated data.
 */
@Timeout(300)
class DynamoDbMaterializeTest {
  private static final int DRIVERS = 60;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger PROJECTS = new AtomicInteger();

  private static DynaliteAndSpark env;
  private static DynaliteServer dynalite;
  private static DynamoDbClient raw;
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    env = DynaliteAndSpark.start();
    dynalite = env.dynalite();
    raw = env.raw();
    spark = env.spark();
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  /** A repo of its own project, so each test has a fresh table and registry. */
  private DynamoDbRepo repo() {
    DynamoDbRepo repo =
        DynamoDbRepo.create(
            dir,
            "dyn" + PROJECTS.incrementAndGet(),
            DRIVERS,
            DynamoDbRepo.dynamoDbStore("us-east-1", dynalite.endpointUrl(), 10));
    repo.apply();
    return repo;
  }

  private static JsonNode succeeded(Result result) {
    JsonNode report = result.report();
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(report.get("status").asText()).isEqualTo("SUCCEEDED");
    return report;
  }

  @Test
  void everyItemIsTheLatestRowOfItsEntityAndARerunSkipsThemAll() throws Exception {
    DynamoDbRepo repo = repo();
    JsonNode first = succeeded(repo.materialize(DAY1, DAY2));
    assertThat(first.get("rows_read").asLong()).isEqualTo(DRIVERS * 8L);
    assertThat(first.get("entities").asLong()).isEqualTo(DRIVERS);
    assertThat(first.get("rows_written").asLong()).isEqualTo(DRIVERS);
    assertThat(first.get("rows_skipped_not_newer").asLong()).isZero();
    assertThat(first.get("partitions").asInt()).isEqualTo(2);
    assertThat(first.get("online_store").asText())
        .isEqualTo("dynamodb at " + dynalite.endpointUrl() + " (us-east-1)");

    Map<Long, Stat> expected = repo.expectedLatest(DAY1, DAY2);
    assertThat(expected).hasSize(DRIVERS);
    // Both forms of Feast's event_ts text are exercised: whole seconds and microseconds.
    assertThat(expected.values().stream().map(s -> s.event().getNano() == 0).distinct())
        .containsExactlyInAnyOrder(true, false);
    assertThat(repo.differences(raw, expected)).isEmpty();
    assertThat(raw.scan(scan -> scan.tableName(repo.table())).count()).isEqualTo(DRIVERS);
    assertThat(repo.intervals())
        .isEqualTo("[{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-02T00:00:00Z\"}]");

    JsonNode again = succeeded(repo.materialize(DAY1, DAY2));
    assertThat(again.get("rows_written").asLong()).isZero();
    assertThat(again.get("rows_skipped_not_newer").asLong()).isEqualTo(DRIVERS);
    assertThat(repo.differences(raw, expected)).isEmpty();
    assertThat(repo.runs()).extracting(run -> run.get("status").asText()).containsOnly("SUCCEEDED");
  }

  @Test
  void sluiceReadShowsWhatTheRunWrote() throws Exception {
    DynamoDbRepo repo = repo();
    Result beforeAnyRun = repo.run("read", "--feature-view", VIEW, "--entity", "driver_id=7");
    assertThat(beforeAnyRun.exitCode()).as(beforeAnyRun.toString()).isEqualTo(2);
    assertThat(beforeAnyRun.err())
        .contains(
            "Cannot read feature view driver_stats from DynamoDB table "
                + repo.table()
                + " (dynamodb at "
                + dynalite.endpointUrl()
                + " (us-east-1)): the table does not exist; no run has written this view yet, or"
                + " table_name_template names another table");

    succeeded(repo.materialize(DAY1, DAY3));
    Stat want = repo.expectedLatest(DAY1, DAY3).get(7L);
    Result read =
        repo.run(
            "read", "--feature-view", VIEW, "--entity", "driver_id=7", "--entity", "driver_id=999");
    assertThat(read.exitCode()).as(read.toString()).isZero();
    JsonNode entities = read.report().get("entities");
    assertThat(entities).hasSize(2);
    assertThat(entities.get(0).get("entity").toString()).isEqualTo("{\"driver_id\":7}");
    assertThat(entities.get(0).get("event_timestamp").asText()).isEqualTo(want.event().toString());
    assertThat(entities.get(0).get("values").get("conv_rate").floatValue())
        .isEqualTo((float) want.convRate());
    assertThat(entities.get(0).get("values").get("trips").asLong()).isEqualTo(want.trips());
    assertThat(entities.get(0).get("values").get("note").asText()).isEqualTo(want.note());
    assertThat(entities.get(1).get("values").isNull()).isTrue();
  }

  @Test
  void itemsFeastWroteAreKeptWhenNewerAndReplacedWhenOlder() throws Exception {
    DynamoDbRepo repo = repo();
    Map<Long, Stat> expected = repo.expectedLatest(DAY1, DAY2);
    repo.createTable(raw, "entity_id", ScalarAttributeType.S);
    // 1-4 newer than the window's latest (4: by one microsecond), 5-8 older (8: by one
    // microsecond), 9 equal, 10 newer in another zone's offset, 11 older in one.
    for (long driver = 1; driver <= 3; driver++) {
      repo.putAsFeast(raw, driver, "2030-01-01 00:00:00+00:00", -1);
    }
    repo.putAsFeast(
        raw, 4, DynamoDbRepo.feastEventTs(expected.get(4L).event().plusNanos(1000)), -1);
    for (long driver = 5; driver <= 7; driver++) {
      repo.putAsFeast(raw, driver, "2024-04-30 23:59:59.999999+00:00", -1);
    }
    repo.putAsFeast(
        raw, 8, DynamoDbRepo.feastEventTs(expected.get(8L).event().minusNanos(1000)), -1);
    repo.putAsFeast(raw, 9, DynamoDbRepo.feastEventTs(expected.get(9L).event()), -1);
    repo.putAsFeast(raw, 10, "2030-01-01 02:00:00+02:00", -1);
    repo.putAsFeast(raw, 11, "2024-05-01 01:00:00+02:00", -1);

    JsonNode report = succeeded(repo.materialize(DAY1, DAY2));
    assertThat(report.get("rows_skipped_not_newer").asLong()).isEqualTo(6); // 1-4, 9, 10
    assertThat(report.get("rows_written").asLong()).isEqualTo(DRIVERS - 6);

    for (long driver : new long[] {1, 2, 3, 4, 9, 10}) {
      assertThat(trips(repo, driver)).as("driver %s kept", driver).isEqualTo(-1);
    }
    assertThat(repo.item(raw, 10).get("event_ts").s()).isEqualTo("2030-01-01 02:00:00+02:00");
    Map<Long, Stat> replaced = new java.util.TreeMap<>(expected);
    for (long driver : new long[] {1, 2, 3, 4, 9, 10}) {
      replaced.remove(driver);
    }
    assertThat(replaced).containsKeys(5L, 6L, 7L, 8L, 11L);
    assertThat(repo.differences(raw, replaced)).isEmpty();
    assertThat(repo.intervals())
        .isEqualTo("[{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-02T00:00:00Z\"}]");
  }

  @Test
  void forceOverwritesNewerItems() throws Exception {
    DynamoDbRepo repo = repo();
    repo.createTable(raw, "entity_id", ScalarAttributeType.S);
    for (long driver = 1; driver <= 10; driver++) {
      repo.putAsFeast(raw, driver, "2030-01-01 00:00:00+00:00", -1);
    }
    JsonNode report = succeeded(repo.materialize(DAY1, DAY2, "--force"));
    assertThat(report.get("mode").asText()).isEqualTo("force");
    assertThat(report.get("rows_written").asLong()).isEqualTo(DRIVERS);
    assertThat(report.get("rows_skipped_not_newer").asLong()).isZero();
    assertThat(repo.differences(raw, repo.expectedLatest(DAY1, DAY2))).isEmpty();
  }

  /**
   * Two runs of overlapping windows at once, the newest window started first: the older run's
   * writes come while or after the newer one's, and must never replace a newer value. Each run is a
   * command on its own thread, sharing the JVM's Spark context as two Airflow tasks in one cluster
   * would share executors; the older one is released when the newer one's Spark job has started (a
   * latch on Spark's job-start event, no sleep).
   */
  @Test
  void racingRunsLeaveTheNewestValueAndBothRecordTheirIntervals() throws Exception {
    DynamoDbRepo repo = repo();
    Instant olderEnd = DAY2.plusSeconds(12 * 3600);
    String newerWindow = "[" + DAY2 + ", " + DAY3 + ")";
    CountDownLatch newerStarted = new CountDownLatch(1);
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart jobStart) {
            String description = jobStart.properties().getProperty("spark.job.description", "");
            if (description.contains(newerWindow)) {
              newerStarted.countDown();
            }
          }
        };
    spark.sparkContext().addSparkListener(listener);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<Result> newer = threads.submit(() -> repo.materialize(DAY2, DAY3));
      assertThat(newerStarted.await(120, TimeUnit.SECONDS)).as("newer run started").isTrue();
      Future<Result> older = threads.submit(() -> repo.materialize(DAY1, olderEnd));
      JsonNode newerReport = succeeded(newer.get(120, TimeUnit.SECONDS));
      JsonNode olderReport = succeeded(older.get(120, TimeUnit.SECONDS));
      assertThat(newerReport.get("rows_written").asLong()).isEqualTo(DRIVERS);
      assertThat(
              olderReport.get("rows_written").asLong()
                  + olderReport.get("rows_skipped_not_newer").asLong())
          .isEqualTo(DRIVERS);
    } finally {
      threads.shutdownNow();
      spark.sparkContext().removeSparkListener(listener);
    }
    Map<Long, Stat> newest = repo.expectedLatest(DAY1, DAY3);
    assertThat(newest.values()).allMatch(stat -> !stat.event().isBefore(olderEnd));
    assertThat(repo.differences(raw, newest)).isEmpty();
    assertThat(repo.intervals())
        .isEqualTo("[{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-03T00:00:00Z\"}]");
    JsonNode runs = repo.runs();
    List<String> windows = new ArrayList<>();
    runs.forEach(
        run -> {
          assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
          windows.add(run.get("start").asText() + "/" + run.get("end").asText());
        });
    assertThat(windows).containsExactlyInAnyOrder(DAY2 + "/" + DAY3, DAY1 + "/" + olderEnd);
  }

  private static long trips(DynamoDbRepo repo, long driver) throws Exception {
    return Value.parseFrom(repo.item(raw, driver).get("values").m().get("trips").b().asByteArray())
        .getInt64Val();
  }
}
