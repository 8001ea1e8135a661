package io.sluice.online.dynamodb;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * Opens the sync DynamoDB client of one writer or reader: the configured region and endpoint,
 * credentials from the SDK's default chain (environment, system properties, web identity, profile,
 * container and instance role), an Apache HttpClient 5 pool with a connection for each request in
 * flight, and the SDK's own retries off: Sluice's {@code RetryRule} is the one retry budget.
 */
final class DynamoDbClients {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);

  private DynamoDbClients() {}

  static DynamoDbClient open(DynamoDbOnlineStoreConfig config) {
    return open(config, List.of());
  }

  /** With {@code interceptors} on every call (tests record or alter requests with them). */
  static DynamoDbClient open(
      DynamoDbOnlineStoreConfig config, List<ExecutionInterceptor> interceptors) {
    DynamoDbClientBuilder builder =
        DynamoDbClient.builder()
            .region(Region.of(config.region()))
            .httpClientBuilder(
                Apache5HttpClient.builder()
                    .maxConnections(config.requestsInFlight() + 1)
                    .connectionTimeout(CONNECT_TIMEOUT))
            .overrideConfiguration(
                override ->
                    override
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
                        .executionInterceptors(interceptors));
    config.endpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
    return builder.build();
  }
}
