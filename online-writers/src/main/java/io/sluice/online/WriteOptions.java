package io.sluice.online;

import static java.util.Objects.requireNonNull;

import io.sluice.common.retry.RetryRule;
import java.io.Serializable;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * How a writer writes, independent of the store: the newer-only rule, the entity key format, how
 * long transient store errors are retried within one batch, and how many writers of the job write
 * at once.
 *
 * @param parallelWriters how many writers of the same job the engine runs at once (the write
 *     partitions); a store with a job-wide write rate gives each writer its share (DynamoDB's
 *     {@code sluice.dynamodb.target_write_capacity}). At least 1.
 */
public record WriteOptions(
    WriteMode mode, EntityKeyFormat keyFormat, Duration retryBudget, int parallelWriters)
    implements Serializable {
  public static final Duration DEFAULT_RETRY_BUDGET = Duration.ofSeconds(60);

  /** The first pause before a write is retried; each further pause doubles, up to the next. */
  static final Duration FIRST_RETRY_PAUSE = Duration.ofMillis(50);

  static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(2);

  /** How much each pause varies, as a fraction of it. */
  static final double RETRY_JITTER = 0.25;

  public WriteOptions {
    requireNonNull(mode, "mode is null");
    requireNonNull(keyFormat, "keyFormat is null");
    requireNonNull(retryBudget, "retryBudget is null");
    if (retryBudget.isNegative()) {
      throw new IllegalArgumentException("Invalid retry budget: " + retryBudget);
    }
    if (parallelWriters < 1) {
      throw new IllegalArgumentException("parallelWriters must be >= 1: " + parallelWriters);
    }
  }

  /** One writer at once. */
  public WriteOptions(WriteMode mode, EntityKeyFormat keyFormat, Duration retryBudget) {
    this(mode, keyFormat, retryBudget, 1);
  }

  /** Newer-only writes, Feast's default key format (v3), the default retry budget. */
  public static WriteOptions defaults() {
    return new WriteOptions(WriteMode.NEWER_ONLY, EntityKeyFormat.V3, DEFAULT_RETRY_BUDGET);
  }

  /**
   * The writers' retry rule for the failures {@code retryable} accepts: pauses of 50 ms doubling up
   * to 2 s, each varied by 25%, for at most {@link #retryBudget()} in all (a budget of 50 ms or
   * less means one attempt).
   */
  public RetryRule retryRule(Predicate<Throwable> retryable) {
    return retryRule(retryable, StoreRetries.withoutThrottling());
  }

  /** As {@link #retryRule(Predicate)}, each retry counted by {@code counted}. */
  public RetryRule retryRule(Predicate<Throwable> retryable, StoreRetries counted) {
    return RetryRule.retrying(retryable)
        .backoff(FIRST_RETRY_PAUSE, MAX_RETRY_PAUSE)
        .jitter(RETRY_JITTER)
        .budget(retryBudget)
        .onRetry(counted::retrying)
        .build();
  }

  public WriteOptions withMode(WriteMode newMode) {
    return new WriteOptions(newMode, keyFormat, retryBudget, parallelWriters);
  }

  public WriteOptions withRetryBudget(Duration budget) {
    return new WriteOptions(mode, keyFormat, budget, parallelWriters);
  }

  public WriteOptions withParallelWriters(int writers) {
    return new WriteOptions(mode, keyFormat, retryBudget, writers);
  }
}
