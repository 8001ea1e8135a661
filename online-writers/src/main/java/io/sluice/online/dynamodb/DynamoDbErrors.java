package io.sluice.online.dynamodb;

import java.io.IOException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;

/** Which DynamoDB failures are worth another attempt under the writer's retry rule. */
final class DynamoDbErrors {
  /** The error codes of throttling, whatever exception class the SDK maps them to. */
  private static final Set<String> THROTTLING_CODES =
      Set.of(
          "ProvisionedThroughputExceededException",
          "ThrottlingException",
          "RequestLimitExceeded",
          "Throttling",
          "TooManyRequestsException");

  private DynamoDbErrors() {}

  /**
   * Throttling ({@code ProvisionedThroughputExceeded}, {@code ThrottlingException}, {@code
   * RequestLimitExceeded}), a 5xx answer, a connection failure or a timed-out attempt, and items
   * BatchWriteItem left unprocessed.
   */
  static boolean isTransient(Throwable failure) {
    if (failure instanceof UnprocessedItemsException) {
      return true;
    }
    if (failure instanceof AwsServiceException service) {
      return isThrottling(service) || service.statusCode() >= 500;
    }
    if (failure instanceof ApiCallAttemptTimeoutException) {
      return true;
    }
    if (failure instanceof SdkClientException) {
      for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof IOException) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether a failure the writer retries was DynamoDB throttling it: a throttling error, or items
   * BatchWriteItem left unprocessed (which DynamoDB does for items it throttled within a batch).
   */
  static boolean isThrottling(Throwable failure) {
    return failure instanceof UnprocessedItemsException
        || (failure instanceof AwsServiceException service && isThrottling(service));
  }

  static boolean isThrottling(AwsServiceException failure) {
    if (failure instanceof ProvisionedThroughputExceededException
        || failure instanceof RequestLimitExceededException
        || failure.isThrottlingException()) {
      return true;
    }
    return failure.awsErrorDetails() != null
        && THROTTLING_CODES.contains(failure.awsErrorDetails().errorCode());
  }

  /** Items BatchWriteItem did not process; the next attempt sends them again. */
  static final class UnprocessedItemsException extends RuntimeException {
    UnprocessedItemsException(int items) {
      super(items + " items left unprocessed by BatchWriteItem", null, false, false);
    }
  }
}
