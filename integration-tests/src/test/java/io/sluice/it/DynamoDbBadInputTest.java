package io.sluice.it;

import static io.sluice.it.DynamoDbRepo.DAY1;
import static io.sluice.it.DynamoDbRepo.DAY2;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.it.DynamoDbRepo.Result;
import io.sluice.it.DynamoDbRepo.Stat;
import io.sluice.testing.DynaliteServer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * What a user gets for plausible mistakes with the DynamoDB store, through the command line in this
 * JVM (Spark in local mode, dynalite): the exit code, the message, and that a failed run records no
 * interval and leaves its run row FAILED. Missing credentials are tested in {@link
 * DynamoDbLauncherTest}, where the child process's environment can be emptied.
 */
@Timeout(300)
class DynamoDbBadInputTest {
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

  private DynamoDbRepo repo(String region, String endpoint, int retrySeconds) {
    DynamoDbRepo repo =
        DynamoDbRepo.create(
            dir,
            "bad" + PROJECTS.incrementAndGet(),
            5,
            DynamoDbRepo.dynamoDbStore(region, endpoint, retrySeconds));
    repo.apply();
    return repo;
  }

  private static JsonNode failed(Result result, int exitCode) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
    JsonNode report = result.report();
    assertThat(report.get("status").asText()).isEqualTo("FAILED");
    return report;
  }

  /**
   * Exit 4: nothing answers at the endpoint (connection refused), which is what an outage or a
   * network partition looks like; it is retried for sluice.write_retry_seconds, and re-running the
   * window later is the remedy.
   */
  @Test
  void anUnreachableEndpointIsRetriedThenExits4() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + closedPort;
    DynamoDbRepo repo = repo("us-east-1", endpoint, 1);
    JsonNode report = failed(repo.materialize(DAY1, DAY2), 4);
    assertThat(report.get("error").asText())
        .startsWith(
            "Cannot prepare DynamoDB table "
                + repo.table()
                + " within the retry budget of 1 s: Unable to execute HTTP request: Connect to "
                + endpoint)
        .contains("(dynamodb at " + endpoint + " (us-east-1))");
    repo.assertFailedRunRecordedNothing(report);
  }

  /**
   * Exit 2, before Spark starts: without endpoint_url the SDK would call a host that does not
   * exist, which only looks like an outage.
   */
  @Test
  void aRegionTheSdkDoesNotKnowExits2BeforeAnyRun() throws Exception {
    DynamoDbRepo applied = repo("us-east-1", dynalite.endpointUrl(), 1);
    DynamoDbRepo repo =
        DynamoDbRepo.create(
            dir, applied.project, 5, DynamoDbRepo.dynamoDbStore("us-east1", null, 1));
    Result result = repo.materialize(DAY1, DAY2);
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    assertThat(result.err())
        .contains(
            "Invalid online_store.region in "
                + repo.config()
                + ": 'us-east1' is not an AWS region the AWS SDK knows (did you mean"
                + " 'us-east-1'?); for a DynamoDB-compatible server or a region newer than the"
                + " SDK, set endpoint_url");
    // Refused while reading the configuration, before any run starts: no run row, no interval.
    try (Connection registry =
            DriverManager.getConnection("jdbc:sqlite:" + repo.dir.resolve("registry.db"));
        ResultSet runs =
            registry
                .createStatement()
                .executeQuery("SELECT count(*) FROM sluice_materialization_runs")) {
      assertThat(runs.getInt(1)).isZero();
    }
    DynamoDbRepo.create(
        dir,
        applied.project,
        5,
        DynamoDbRepo.dynamoDbStore("us-east-1", dynalite.endpointUrl(), 1));
    assertThat(applied.intervals()).isEqualTo("[]");
  }

  @Test
  void aTableWithAnotherKeySchemaExits2() {
    DynamoDbRepo repo = repo("us-east-1", dynalite.endpointUrl(), 10);
    repo.createTable(raw, "id", ScalarAttributeType.N);
    JsonNode report = failed(repo.materialize(DAY1, DAY2), 2);
    assertThat(report.get("error").asText())
        .isEqualTo(
            "Cannot write to DynamoDB table "
                + repo.table()
                + ": its key schema is [HASH id] with attributes [id (N)], not Feast's hash key"
                + " entity_id (S); use another table_name_template or remove the table");
    repo.assertFailedRunRecordedNothing(report);
  }

  @Test
  void anItemOver400KbExits3NamingTheEntityAndTheView() {
    String big = "x".repeat(410_000);
    DynamoDbRepo repo =
        DynamoDbRepo.create(
            dir,
            "big",
            List.of(
                new Stat(1, DAY1.plusSeconds(60), 0.5, 1, "small"),
                new Stat(2, DAY1.plusSeconds(60), 0.5, 2, big)),
            DynamoDbRepo.dynamoDbStore("us-east-1", dynalite.endpointUrl(), 10));
    repo.apply();
    JsonNode report = failed(repo.materialize(DAY1, DAY2), 3);
    assertThat(report.get("error").asText())
        .matches(
            "Cannot write entity driver_id=2 of feature view driver_stats to DynamoDB table"
                + " big\\.driver_stats: its item is 41\\d{4} bytes, over DynamoDB's limit of"
                + " 409600 bytes \\(400 KB\\)");
    repo.assertFailedRunRecordedNothing(report);
  }
}
