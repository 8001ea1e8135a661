package io.sluice.online;

import static java.util.Objects.requireNonNull;

import io.sluice.online.encoding.EntityKeyFormat;
import java.io.Serializable;
import java.time.Duration;

/**
 * How a writer writes, independent of the store: the newer-only rule, the entity key format and how
 * long transient store errors are retried within one batch.
 */
public record WriteOptions(WriteMode mode, EntityKeyFormat keyFormat, Duration retryBudget)
    implements Serializable {
  public static final Duration DEFAULT_RETRY_BUDGET = Duration.ofSeconds(60);

  public WriteOptions {
    requireNonNull(mode, "mode is null");
    requireNonNull(keyFormat, "keyFormat is null");
    requireNonNull(retryBudget, "retryBudget is null");
    if (retryBudget.isNegative()) {
      throw new IllegalArgumentException("Invalid retry budget: " + retryBudget);
    }
  }

  /** Newer-only writes, Feast's default key format (v3), the default retry budget. */
  public static WriteOptions defaults() {
    return new WriteOptions(WriteMode.NEWER_ONLY, EntityKeyFormat.V3, DEFAULT_RETRY_BUDGET);
  }

  public WriteOptions withMode(WriteMode newMode) {
    return new WriteOptions(newMode, keyFormat, retryBudget);
  }

  public WriteOptions withRetryBudget(Duration budget) {
    return new WriteOptions(mode, keyFormat, budget);
  }
}
