package io.sluice.online;

import java.io.Serializable;

/**
 * Counts of rows (one row = one entity of one feature view) a writer has acknowledged, and of the
 * store requests it retried.
 *
 * @param written rows whose values are now stored
 * @param skippedNotNewer rows not written because the store held an equal or newer event timestamp
 * @param retries store requests sent again under the writer's retry rule (each retry once)
 * @param throttled those of {@code retries} whose failure was the store throttling the writer
 *     (DynamoDB's {@code ProvisionedThroughputExceeded}, {@code ThrottlingException}, {@code
 *     RequestLimitExceeded}, or items BatchWriteItem left unprocessed); 0 for stores that never
 *     throttle
 */
public record WriteStats(long written, long skippedNotNewer, long retries, long throttled)
    implements Serializable {
  public static final WriteStats NONE = new WriteStats(0, 0, 0, 0);

  public WriteStats {
    if (written < 0 || skippedNotNewer < 0 || retries < 0 || throttled < 0) {
      throw new IllegalArgumentException(
          "Invalid counts: written="
              + written
              + ", skippedNotNewer="
              + skippedNotNewer
              + ", retries="
              + retries
              + ", throttled="
              + throttled);
    }
  }

  /** Rows only, no retries. */
  public WriteStats(long written, long skippedNotNewer) {
    this(written, skippedNotNewer, 0, 0);
  }

  public WriteStats plus(WriteStats other) {
    return new WriteStats(
        written + other.written,
        skippedNotNewer + other.skippedNotNewer,
        retries + other.retries,
        throttled + other.throttled);
  }

  /** These counts less {@code earlier} ones of the same writer: what happened in between. */
  public WriteStats since(WriteStats earlier) {
    return new WriteStats(
        written - earlier.written,
        skippedNotNewer - earlier.skippedNotNewer,
        retries - earlier.retries,
        throttled - earlier.throttled);
  }

  /** These rows with the retries and throttled counted so far by {@code storeRetries}. */
  public WriteStats withRetries(StoreRetries storeRetries) {
    return new WriteStats(
        written, skippedNotNewer, storeRetries.retries(), storeRetries.throttled());
  }

  /** Rows acknowledged either way. */
  public long acknowledged() {
    return written + skippedNotNewer;
  }
}
