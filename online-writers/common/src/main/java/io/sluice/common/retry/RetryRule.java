package io.sluice.common.retry;

import static java.util.Objects.requireNonNull;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The project's one retry rule, on Failsafe: which failures retry (a predicate), capped exponential
 * backoff with jitter, and a total time budget.
 *
 * <ul>
 *   <li>A failure the predicate accepts is retried, after a pause that starts at {@code firstDelay}
 *       and doubles up to {@code maxDelay}, each pause varied by {@code ±jitter}, until {@code
 *       budget} has passed since the first attempt. A budget no longer than the first pause means
 *       one attempt; {@link Builder#maxAttempts} also bounds the number of attempts.
 *   <li>When the budget runs out, {@link RetryExhaustedException} is thrown with the last failure
 *       as its cause and earlier ones suppressed. When the thread is interrupted while waiting, it
 *       is thrown with the {@link InterruptedException} as its cause (every failure suppressed),
 *       and the thread's interrupt status is set again.
 *   <li>A failure the predicate refuses ends the work at once and is thrown as it is (a checked one
 *       wrapped in an unchecked {@link RuntimeException} whose cause it is).
 *   <li>Before each new attempt the rule's retry listener ({@link Builder#onRetry}) is told the
 *       failure that led to it, so an owner can count its retries (and which of them were
 *       throttling); the listener is not called for the first attempt nor for a final failure.
 * </ul>
 *
 * <p>Immutable and thread-safe; one rule serves any number of calls.
 */
public final class RetryRule {
  private static final Logger LOG = LoggerFactory.getLogger(RetryRule.class);

  /** How many earlier failures a final failure carries as suppressed exceptions. */
  static final int MAX_SUPPRESSED = 5;

  private final Predicate<Throwable> retryable;
  private final Duration firstDelay;
  private final Duration maxDelay;
  private final double jitter;
  private final Duration budget;
  private final int maxAttempts;
  private final Level retryLogLevel;
  private final Consumer<Throwable> retryListener;

  private RetryRule(Builder builder) {
    this.retryable = builder.retryable;
    this.firstDelay = builder.firstDelay;
    this.maxDelay = builder.maxDelay;
    this.jitter = builder.jitter;
    this.budget = builder.budget;
    this.maxAttempts = builder.maxAttempts;
    this.retryLogLevel = builder.retryLogLevel;
    this.retryListener = builder.retryListener;
  }

  /** A rule that retries the failures {@code retryable} accepts. */
  public static Builder retrying(Predicate<Throwable> retryable) {
    return new Builder(retryable);
  }

  public Duration budget() {
    return budget;
  }

  /** Runs {@code attempt} under this rule; {@code what} names it in logs and messages. */
  public <T> T call(String what, Attempt<T> attempt) {
    return call(what, () -> {}, attempt);
  }

  /**
   * Runs {@code attempt} under this rule; {@code beforeRetry} runs before each new attempt (to
   * reconnect, reload a script).
   *
   * @throws RetryExhaustedException when a retryable failure outlasted the budget
   */
  public <T> T call(String what, Runnable beforeRetry, Attempt<T> attempt) {
    requireNonNull(what, "what is null");
    requireNonNull(beforeRetry, "beforeRetry is null");
    requireNonNull(attempt, "attempt is null");
    List<Throwable> failures = new ArrayList<>();
    RetryPolicyBuilder<T> policy = RetryPolicy.<T>builder().handleIf(retryable::test);
    if (budget.compareTo(firstDelay) <= 0) {
      policy.withMaxRetries(0);
    } else {
      policy
          .withBackoff(firstDelay, maxDelay)
          .withJitter(jitter)
          .withMaxDuration(budget)
          .withMaxRetries(maxAttempts - 1);
    }
    policy
        .onFailedAttempt(
            event -> {
              if (failures.size() < MAX_SUPPRESSED + 1) {
                failures.add(event.getLastException());
              }
            })
        .onRetry(
            event -> {
              LOG.atLevel(retryLogLevel)
                  .log(
                      "Retrying {} (attempt {}, {} ms elapsed) after: {}",
                      what,
                      event.getAttemptCount() + 1,
                      event.getElapsedTime().toMillis(),
                      String.valueOf(event.getLastException()));
              retryListener.accept(event.getLastException());
              beforeRetry.run();
            });
    try {
      return Failsafe.with(policy.build()).get(attempt::run);
    } catch (FailsafeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        // The interrupt is the cause (the task is being cancelled); the failures are suppressed.
        throw exhausted(
            "Cannot " + what + ": interrupted while waiting to retry", cause, failures, true);
      }
      if (retryable.test(cause)) {
        throw exhausted(budgetMessage(what, cause), cause, failures, false);
      }
      throw withSuppressed(new RuntimeException("Cannot " + what + ": " + cause, cause), failures);
    } catch (RuntimeException e) {
      if (retryable.test(e)) {
        throw exhausted(budgetMessage(what, e), e, failures, false);
      }
      throw withSuppressed(e, failures);
    }
  }

  /** A duration for messages: "0.5 s", "60 s". */
  public static String describe(Duration duration) {
    double seconds = duration.toMillis() / 1000.0;
    return (seconds == Math.rint(seconds)
            ? Long.toString((long) seconds)
            : Double.toString(seconds))
        + " s";
  }

  private String budgetMessage(String what, Throwable last) {
    return "Cannot "
        + what
        + " within the retry budget of "
        + describe(budget)
        + ": "
        + last.getMessage();
  }

  private static RetryExhaustedException exhausted(
      String message, Throwable last, List<Throwable> failures, boolean interrupted) {
    return withSuppressed(new RetryExhaustedException(message, last, interrupted), failures, last);
  }

  private static <E extends Throwable> E withSuppressed(E thrown, List<Throwable> failures) {
    return withSuppressed(thrown, failures, thrown);
  }

  private static <E extends Throwable> E withSuppressed(
      E thrown, List<Throwable> failures, Throwable last) {
    int added = 0;
    for (Throwable failure : failures) {
      if (failure != null && failure != last && failure != thrown && added < MAX_SUPPRESSED) {
        thrown.addSuppressed(failure);
        added++;
      }
    }
    return thrown;
  }

  /**
   * Settings of a rule. The backoff, the jitter and the budget have no defaults: each rule's owner
   * states its own numbers, in one place.
   */
  public static final class Builder {
    private final Predicate<Throwable> retryable;
    private Duration firstDelay;
    private Duration maxDelay;
    private double jitter = -1;
    private Duration budget;
    private int maxAttempts = 0; // no limit but the budget: Failsafe's -1 retries
    private Level retryLogLevel = Level.WARN;
    private Consumer<Throwable> retryListener = failure -> {};

    private Builder(Predicate<Throwable> retryable) {
      this.retryable = requireNonNull(retryable, "retryable is null");
    }

    /** The first pause, doubling up to {@code max}. */
    public Builder backoff(Duration first, Duration max) {
      requireNonNull(first, "first is null");
      requireNonNull(max, "max is null");
      if (first.isNegative() || first.isZero() || max.compareTo(first) <= 0) {
        throw new IllegalArgumentException(
            "Invalid backoff: first " + first + " must be > 0 and < max " + max);
      }
      this.firstDelay = first;
      this.maxDelay = max;
      return this;
    }

    /** How much each pause varies, as a fraction of it: 0 to 1. */
    public Builder jitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("Invalid jitter: " + fraction + " (0 to 1)");
      }
      this.jitter = fraction;
      return this;
    }

    /** The total time of all attempts and pauses. */
    public Builder budget(Duration total) {
      requireNonNull(total, "total is null");
      if (total.isNegative()) {
        throw new IllegalArgumentException("Invalid retry budget: " + total);
      }
      this.budget = total;
      return this;
    }

    /**
     * At most this many attempts (the first one included), also when the budget would allow more;
     * without it, only the budget limits them.
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("Invalid attempts: " + attempts + " (at least 1)");
      }
      this.maxAttempts = attempts;
      return this;
    }

    /** The level retries are logged at (default WARN). */
    public Builder logRetriesAt(Level level) {
      this.retryLogLevel = requireNonNull(level, "level is null");
      return this;
    }

    /**
     * Called before each retry, on the retrying thread, with the failure that led to it (to count
     * retries). It must be thread-safe when the rule serves several threads, and must not throw.
     */
    public Builder onRetry(Consumer<Throwable> listener) {
      this.retryListener = requireNonNull(listener, "listener is null");
      return this;
    }

    public RetryRule build() {
      if (firstDelay == null || jitter < 0 || budget == null) {
        throw new IllegalStateException(
            "Invalid retry rule: backoff, jitter and budget must all be set");
      }
      return new RetryRule(this);
    }
  }
}
