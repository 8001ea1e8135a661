package io.sluice.online.dynamodb;

import dev.failsafe.RateLimiter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * One writer's share of {@code sluice.dynamodb.target_write_capacity}: a smooth Failsafe {@link
 * RateLimiter} of write capacity units (WCU) per second, charged at the start of each attempt of an
 * item's PutItem or of a BatchWriteItem (retries too: a throttled request is one more reason to
 * slow down), also a second PutItem of newer-only after another writer changed the item;
 * newer-only's reads use read capacity and are not charged. The wait is part of the attempt, so it
 * counts toward that request's retry budget: a share far below what the writer's requests in flight
 * ask for makes each of them wait long.
 *
 * <p>What a request costs, after DynamoDB's rules: a PutItem is one WCU per started KB of the item,
 * at least 1; a conditional PutItem costs the same, and one whose condition fails still consumes
 * capacity (by the larger of the stored and the new item; Sluice charges the new one's size, as it
 * does not know the stored one's, and a view's items are alike in size); a BatchWriteItem is the
 * sum of its items' costs.
 *
 * <p>Thread-safe: the writer's request threads share one. Without a target it charges nothing and
 * never waits.
 */
final class DynamoDbWriteCapacity {
  /** DynamoDB's unit of write size: one WCU writes up to 1 KB. */
  static final int BYTES_PER_WRITE_UNIT = 1024;

  private static final DynamoDbWriteCapacity UNBOUNDED = new DynamoDbWriteCapacity(null, 0);

  private final RateLimiter<Object> limiter;
  private final double unitsPerSecond;
  private final AtomicLong unitsCharged = new AtomicLong();
  private final AtomicLong requestsCharged = new AtomicLong();

  private DynamoDbWriteCapacity(RateLimiter<Object> limiter, double unitsPerSecond) {
    this.limiter = limiter;
    this.unitsPerSecond = unitsPerSecond;
  }

  /**
   * The share of one of {@code writers} writers running at once of {@code targetWriteCapacity} WCU
   * per second for the whole job; 0 means no target.
   */
  static DynamoDbWriteCapacity share(long targetWriteCapacity, int writers) {
    if (targetWriteCapacity < 0 || writers < 1) {
      throw new IllegalArgumentException(
          "Invalid write capacity share: target "
              + targetWriteCapacity
              + " WCU/s over "
              + writers
              + " writers");
    }
    if (targetWriteCapacity == 0) {
      return UNBOUNDED;
    }
    double perWriter = (double) targetWriteCapacity / writers;
    // Smooth: one unit every 1/perWriter s, no bursts, so the job's sum stays at the target.
    Duration perUnit = Duration.ofNanos(Math.max(1, Math.round(1e9 / perWriter)));
    return new DynamoDbWriteCapacity(RateLimiter.smoothBuilder(perUnit).build(), perWriter);
  }

  static DynamoDbWriteCapacity unbounded() {
    return UNBOUNDED;
  }

  /** WCU of one PutItem of {@code item}: one per started KB, at least 1. */
  static int units(Map<String, AttributeValue> item) {
    return units(DynamoDbItems.size(item));
  }

  static int units(long itemBytes) {
    return (int) Math.max(1, (itemBytes + BYTES_PER_WRITE_UNIT - 1) / BYTES_PER_WRITE_UNIT);
  }

  /** WCU of one BatchWriteItem of {@code requests}: the sum of its items' units. */
  static int units(List<WriteRequest> requests) {
    int units = 0;
    for (WriteRequest request : requests) {
      units += units(request.putRequest().item());
    }
    return units;
  }

  /**
   * Waits, if there is a target, until one BatchWriteItem of {@code requests} may be sent (its
   * units are only summed when there is a target).
   */
  void charge(List<WriteRequest> requests) {
    if (limiter != null) {
      charge(units(requests));
    }
  }

  /** Waits, if there is a target, until {@code units} WCU may be spent, and counts them. */
  void charge(int units) {
    if (limiter == null) {
      return;
    }
    try {
      limiter.acquirePermits(units);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for DynamoDB write capacity", e);
    }
    unitsCharged.addAndGet(units);
    requestsCharged.incrementAndGet();
  }

  boolean bounded() {
    return limiter != null;
  }

  /** This writer's share in WCU per second; 0 without a target. */
  double unitsPerSecond() {
    return unitsPerSecond;
  }

  /** WCU charged so far (only with a target). */
  long unitsCharged() {
    return unitsCharged.get();
  }

  /** Requests charged so far (only with a target). */
  long requestsCharged() {
    return requestsCharged.get();
  }
}
