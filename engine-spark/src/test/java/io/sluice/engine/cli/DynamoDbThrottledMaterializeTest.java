package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.SparkTestBase;
import io.sluice.engine.cli.TestThrottlingInterceptor.Throttle;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.run.ExitCodes;
import io.sluice.engine.run.RunReport;
import io.sluice.registry.MaterializationRun;
import io.sluice.registry.RunStatus;
import io.sluice.registry.SqlRegistry;
import io.sluice.testing.DynaliteServer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code materialize} end to end (Spark local mode, SQLite registry) into DynamoDB (dynalite) while
 * DynamoDB throttles. Dynalite cannot throttle, so the throttling is a mock: {@link
 * TestThrottlingInterceptor}, loaded by the SDK from the test classpath, answers the writes to this
 * test's table with {@code ProvisionedThroughputExceededException}.
 */
@Timeout(300)
class DynamoDbThrottledMaterializeTest extends SparkTestBase {
  private static final AtomicInteger TABLES = new AtomicInteger();
  private static DynaliteServer server;

  @TempDir Path dir;
  private DriverStatsRepo repo;
  private String table;

  @BeforeAll
  static void startDynalite() {
    // The SDK's default chain reads these; dynalite accepts any credentials.
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
    server = DynaliteServer.start();
  }

  @AfterAll
  static void stopDynalite() {
    server.close();
  }

  @BeforeEach
  void createRepo() {
    String prefix = "throttled" + TABLES.incrementAndGet();
    table = prefix + "-demo_test.driver_hourly_stats";
    repo =
        DriverStatsRepo.create(
            spark(),
            dir,
            "online_store:\n"
                + "  type: dynamodb\n"
                + "  region: us-east-1\n"
                + "  endpoint_url: "
                + server.endpointUrl()
                + "\n"
                + "  table_name_template: \""
                + prefix
                + "-{project}.{table_name}\"\n"
                + "sluice:\n"
                + "  write_retry_seconds: 1\n"
                + "  dynamodb:\n"
                + "    requests_in_flight: 100\n");
    repo.apply();
  }

  @AfterEach
  void stopThrottling() {
    TestThrottlingInterceptor.stop(table);
  }

  private CommandResult materialize(String... extra) {
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                "materialize",
                "--config",
                repo.config().toString(),
                "--feature-view",
                "driver_hourly_stats",
                "--start",
                "2024-05-01T00:00:00Z",
                "--end",
                "2024-05-02T00:00:00Z"));
    args.addAll(java.util.List.of(extra));
    return CommandResult.run(args.toArray(String[]::new));
  }

  private long items() {
    try (DynamoDbClient client =
        DynamoDbClient.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(java.net.URI.create(server.endpointUrl()))
            .build()) {
      return client.scan(scan -> scan.tableName(table)).count();
    }
  }

  private String intervals() {
    return CommandResult.run(
            "intervals",
            "--config",
            repo.config().toString(),
            "--feature-view",
            "driver_hourly_stats")
        .lastLine();
  }

  @Test
  void aThrottleThatNeverStopsFailsTheRunWithExitCode4AndReportsTheThrottling() throws Exception {
    for (String mode : new String[] {"newer_only", "force"}) {
      TestThrottlingInterceptor.throttle(table, Throttle.ALWAYS);
      CommandResult result = mode.equals("force") ? materialize("--force") : materialize();

      assertThat(result.exitCode()).as(mode + ": " + result.err()).isEqualTo(ExitCodes.RETRYABLE);
      RunReport report = result.report();
      assertThat(report.status()).isEqualTo(RunReport.FAILED);
      assertThat(report.exitCode()).isEqualTo(ExitCodes.RETRYABLE);
      assertThat(report.mode()).isEqualTo(mode);
      assertThat(report.error()).contains("within the retry budget of 1 s");
      assertThat(report.storeThrottled()).as(mode).isPositive();
      assertThat(report.storeRetries()).isEqualTo(report.storeThrottled());
      assertThat(report.rowsWritten()).isZero();
      assertThat(items()).isZero();
      assertThat(intervals()).contains("\"intervals\":[]");
      try (SqlRegistry registry = SqlRegistry.open(RepoConfig.load(repo.config()).registry())) {
        MaterializationRun run = registry.run(report.runId()).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).contains("within the retry budget of 1 s");
      }
    }
  }

  @Test
  void aPassingThrottleIsRetriedAndCountedAndEveryEntityWritten() {
    TestThrottlingInterceptor.throttle(table, Throttle.FIRST_ATTEMPT);
    CommandResult result = materialize();

    assertThat(result.exitCode()).as(result.err()).isZero();
    RunReport report = result.report();
    assertThat(report.status()).isEqualTo(RunReport.SUCCEEDED);
    assertThat(report.rowsWritten()).isEqualTo(200);
    // Each entity's first PutItem was throttled once, then passed.
    assertThat(report.storeThrottled()).isEqualTo(200);
    assertThat(report.storeRetries()).isEqualTo(200);
    assertThat(items()).isEqualTo(200);
    assertThat(intervals()).contains("2024-05-01T00:00:00Z").contains("2024-05-02T00:00:00Z");
  }
}
