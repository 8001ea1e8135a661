package io.sluice.engine.cli;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Test only: a mock of DynamoDB throttling, which dynalite cannot do, for end-to-end runs through
 * the engine, where the test cannot hand the writer a client. The SDK loads it into every DynamoDB
 * client of the test JVM from the test classpath file {@code
 * software/amazon/awssdk/services/dynamodb/execution.interceptors} (an SDK feature; nothing in the
 * application's jar or main code knows of it). It does nothing to a table a test has not named with
 * {@link #throttle}, so other tests' tables are untouched.
 */
public final class TestThrottlingInterceptor implements ExecutionInterceptor {
  /** How a named table's writes are throttled. */
  enum Throttle {
    /** Every PutItem and BatchWriteItem, for ever. */
    ALWAYS,
    /** The first attempt of each item's PutItem, then never again. */
    FIRST_ATTEMPT
  }

  private static final Map<String, Throttle> TABLES = new ConcurrentHashMap<>();
  private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

  /** Throttles writes to {@code table} until {@link #stop}. */
  static void throttle(String table, Throttle how) {
    TABLES.put(table, how);
  }

  static void stop(String table) {
    TABLES.remove(table);
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    SdkRequest request = context.request();
    String table;
    String item;
    if (request instanceof PutItemRequest put) {
      table = put.tableName();
      item = table + "/" + put.item().get("entity_id").s();
    } else if (request instanceof BatchWriteItemRequest batch) {
      table = batch.requestItems().keySet().iterator().next();
      item = null;
    } else {
      return;
    }
    Throttle how = TABLES.get(table);
    if (how == Throttle.ALWAYS
        || (how == Throttle.FIRST_ATTEMPT && item != null && SEEN.add(item))) {
      throw ProvisionedThroughputExceededException.builder()
          .message("The level of configured provisioned throughput for the table was exceeded")
          .statusCode(400)
          .awsErrorDetails(
              AwsErrorDetails.builder()
                  .errorCode("ProvisionedThroughputExceededException")
                  .serviceName("DynamoDb")
                  .build())
          .build();
    }
  }
}
