package io.sluice.it;

import static io.sluice.it.DynamoDbRepo.DAY1;
import static io.sluice.it.DynamoDbRepo.DAY2;
import static io.sluice.it.DynamoDbRepo.VIEW;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.it.DynamoDbRepo.Stat;
import io.sluice.testing.DynaliteServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The shaded application jar writing to DynamoDB (dynalite) through {@code submit/bin/sluice} in
 * local mode, as a user runs it: the AWS SDK and its Apache HttpClient 5 work from the jar next to
 * Spark's own Netty and HttpClient 4. The child's environment holds no AWS settings but those a
 * test gives, and its profile files are empty, so nothing depends on the developer's ~/.aws. Needs
 * the application jar that {@code mvn verify} packages in submit/ before this module runs.
 */
@Timeout(300)
class DynamoDbLauncherTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static DynaliteServer dynalite;
  private static DynamoDbClient raw;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    dynalite = DynaliteServer.start();
    raw = DynamoDbRepo.rawClient(dynalite.endpointUrl());
  }

  @AfterAll
  static void stop() {
    raw.close();
    dynalite.close();
  }

  /**
   * Runs {@code submit/bin/sluice <args>} with no AWS_* variable of this JVM's environment, empty
   * AWS profile files, instance metadata off (so a test host on EC2 lends no role), plus {@code
   * aws}.
   */
  private Launched sluice(Map<String, String> aws, String... args) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty-aws-file"), "");
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("submit/bin/sluice").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
    builder.environment().remove("SPARK_HOME");
    builder.environment().remove("JAVA_OPTS");
    builder.environment().put("AWS_CONFIG_FILE", empty.toString());
    builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", empty.toString());
    builder.environment().put("AWS_EC2_METADATA_DISABLED", "true");
    builder.environment().putAll(aws);
    Path out = dir.resolve("sluice.out");
    Path err = dir.resolve("sluice.err");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(4, TimeUnit.MINUTES)).as("finished in time").isTrue();
    return new Launched(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  /**
   * A repo whose store settings are those of the example conf/dynamodb/feature_store.yaml (from
   * {@code online_store:} on: region, table_name_template, tags, 16 partitions, batch size,
   * sluice.dynamodb), with its commented endpoint_url pointed at dynalite.
   */
  private static final String STAGING_LOCATION =
      "  staging_location: s3a://my-feature-bucket/sluice-staging\n";

  private static final String STAGING_REGION =
      "  region: us-east-1                 # the staging bucket's region\n";

  private DynamoDbRepo repo(String project) throws Exception {
    String example = Files.readString(ROOT.resolve("conf/dynamodb/feature_store.yaml"));
    String commented = "# endpoint_url: http://localhost:8000";
    assertThat(example)
        .contains(
            commented, "entity_key_serialization_version: 3\n", STAGING_LOCATION, STAGING_REGION);
    String store =
        example
            .substring(example.indexOf("online_store:"))
            .replace(commented, "endpoint_url: " + dynalite.endpointUrl())
            .replace("entity_key_serialization_version: 3\n", "")
            // Staging on AWS S3 is the example's too; this test is about DynamoDB (staging has
            // its own tests, against S3Mock).
            .replace(STAGING_LOCATION, "")
            .replace(STAGING_REGION, "");
    DynamoDbRepo repo = DynamoDbRepo.create(dir.resolve(project), project, 20, store);
    repo.apply(); // in this JVM: apply needs neither Spark nor the store
    return repo;
  }

  @Test
  void theApplicationJarMaterializesAndReadsDynamoDb() throws Exception {
    DynamoDbRepo repo = repo("launched");
    // A secret that must appear nowhere: not on stdout, stderr, in the report or the run table.
    String secret = "sluice-test-secret-" + java.util.UUID.randomUUID();
    Map<String, String> credentials =
        Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", secret);
    Launched materialized =
        sluice(
            credentials,
            "materialize",
            "--config",
            repo.config().toString(),
            "--feature-view",
            VIEW,
            "--start",
            DAY1.toString(),
            "--end",
            DAY2.toString());
    assertThat(materialized.exitCode()).as(materialized.toString()).isZero();
    JsonNode report = materialized.lastLine();
    assertThat(report.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(report.get("rows_written").asLong()).isEqualTo(20);
    assertThat(report.get("partitions").asInt()).isEqualTo(16); // the example's
    assertThat(materialized.err()).doesNotContain("NoSuchMethodError", "ClassNotFoundException");
    assertThat(repo.differences(raw, repo.expectedLatest(DAY1, DAY2))).isEmpty();

    Stat want = repo.expectedLatest(DAY1, DAY2).get(3L);
    Launched read =
        sluice(
            credentials,
            "read",
            "--config",
            repo.config().toString(),
            "--feature-view",
            VIEW,
            "--entity",
            "driver_id=3");
    assertThat(read.exitCode()).as(read.toString()).isZero();
    JsonNode entity = read.lastLine().get("entities").get(0);
    assertThat(entity.get("event_timestamp").asText()).isEqualTo(want.event().toString());
    assertThat(entity.get("values").get("trips").asLong()).isEqualTo(want.trips());
    assertThat(repo.intervals())
        .isEqualTo("[{\"start\":\"2024-05-01T00:00:00Z\",\"end\":\"2024-05-02T00:00:00Z\"}]");
    for (Launched launched : List.of(materialized, read)) {
      assertThat(launched.out() + launched.err()).doesNotContain(secret);
    }
    assertThat(repo.runs().toString()).contains("SUCCEEDED").doesNotContain(secret);
  }

  /**
   * Exit 2: no credentials anywhere in the SDK's default chain is a configuration problem a retry
   * cannot fix; the message names every provider the chain tried.
   */
  @Test
  void missingCredentialsExit2NamingTheChainTried() throws Exception {
    DynamoDbRepo repo = repo("nocredentials");
    Launched materialized =
        sluice(
            Map.of(),
            "materialize",
            "--config",
            repo.config().toString(),
            "--feature-view",
            VIEW,
            "--start",
            DAY1.toString(),
            "--end",
            DAY2.toString());
    assertThat(materialized.exitCode()).as(materialized.toString()).isEqualTo(2);
    JsonNode report = materialized.lastLine();
    assertThat(report.get("status").asText()).isEqualTo("FAILED");
    assertThat(report.get("exit_code").asInt()).isEqualTo(2);
    assertThat(report.get("error").asText())
        .startsWith("Cannot call DynamoDB (dynamodb at " + dynalite.endpointUrl() + " (us-east-1))")
        .contains("Unable to load credentials from any of the providers in the chain")
        .contains(
            "SystemPropertyCredentialsProvider",
            "EnvironmentVariableCredentialsProvider",
            "WebIdentityTokenFileCredentialsProvider",
            "ProfileCredentialsProvider",
            "ContainerCredentialsProvider",
            "InstanceProfileCredentialsProvider")
        .contains(
            "credentials come from the AWS SDK's default chain: environment, system properties,"
                + " web identity token, profile, container and instance role");
    repo.assertFailedRunRecordedNothing(report);
    assertThat(raw.listTables().tableNames()).doesNotContain(repo.table());
  }
}
