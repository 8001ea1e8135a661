package io.sluice.online;

import static java.util.Objects.requireNonNull;

import io.sluice.common.retry.RetryRule;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Counts one writer's retries and which of them were throttling: the listener of the writer's
 * {@link RetryRule} ({@link WriteOptions#retryRule(Predicate, StoreRetries)}). Thread-safe: a
 * writer that sends requests from several threads shares one.
 */
public final class StoreRetries {
  private final Predicate<Throwable> throttling;
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong throttled = new AtomicLong();

  private StoreRetries(Predicate<Throwable> throttling) {
    this.throttling = requireNonNull(throttling, "throttling is null");
  }

  /** Counts retries; those whose failure {@code throttling} accepts are also counted throttled. */
  public static StoreRetries counting(Predicate<Throwable> throttling) {
    return new StoreRetries(throttling);
  }

  /** For a store that never throttles: every retry counts, none as throttled. */
  public static StoreRetries withoutThrottling() {
    return new StoreRetries(failure -> false);
  }

  /** The retry rule's listener: one more retry after {@code failure}. */
  public void retrying(Throwable failure) {
    retries.incrementAndGet();
    if (failure != null && throttling.test(failure)) {
      throttled.incrementAndGet();
    }
  }

  public long retries() {
    return retries.get();
  }

  public long throttled() {
    return throttled.get();
  }
}
