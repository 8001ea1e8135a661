package io.sluice.common.retry;

import static java.util.Objects.requireNonNull;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 *       one attempt.
 *   <li>When the budget runs out (or the thread is interrupted while waiting), {@link
 *       RetryExhaustedException} is thrown with the last failure as its cause and earlier ones
 *       suppressed; an interrupt also sets the thread's interrupt status again.
 *   <li>A failure the predicate refuses ends the work at once and is thrown as it is (a checked one
 *       wrapped in an unchecked {@link RuntimeException} whose cause it is).
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
  private final Level retryLogLevel;

  private RetryRule(Builder builder) {
    this.retryable = builder.retryable;
    this.firstDelay = builder.firstDelay;
    this.maxDelay = builder.maxDelay;
    this.jitter = builder.jitter;
    this.budget = builder.budget;
    this.retryLogLevel = builder.retryLogLevel;
  }

  /** A rule that retries the failures {@code retryable} accepts. */
  public static Builder retrying(Predicate<Throwable> retryable) {
    return new Builder(retryable);
  }

  public Duration budget() {
    return budget;
  }

  /** The same rule with another budget. */
  public RetryRule withBudget(Duration newBudget) {
    return toBuilder().budget(newBudget).build();
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
    int[] attempts = {0};
    RetryPolicyBuilder<T> policy = RetryPolicy.<T>builder().handleIf(retryable::test);
    if (budget.compareTo(firstDelay) <= 0) {
      policy.withMaxRetries(0);
    } else {
      policy
          .withBackoff(firstDelay, maxDelay)
          .withJitter(jitter)
          .withMaxDuration(budget)
          .withMaxRetries(-1);
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
              beforeRetry.run();
            });
    try {
      return Failsafe.with(policy.build())
          .get(
              () -> {
                attempts[0]++;
                return attempt.run();
              });
    } catch (FailsafeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        Throwable last = failures.isEmpty() ? cause : failures.get(failures.size() - 1);
        throw exhausted(
            "Cannot " + what + ": interrupted while waiting to retry",
            last,
            failures,
            attempts,
            true);
      }
      if (retryable.test(cause)) {
        throw exhausted(budgetMessage(what, cause), cause, failures, attempts, false);
      }
      throw withSuppressed(new RuntimeException("Cannot " + what + ": " + cause, cause), failures);
    } catch (RuntimeException e) {
      if (retryable.test(e)) {
        throw exhausted(budgetMessage(what, e), e, failures, attempts, false);
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
      String message,
      Throwable last,
      List<Throwable> failures,
      int[] attempts,
      boolean interrupted) {
    return withSuppressed(
        new RetryExhaustedException(message, last, attempts[0], interrupted), failures, last);
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

  private Builder toBuilder() {
    return new Builder(retryable)
        .backoff(firstDelay, maxDelay)
        .jitter(jitter)
        .budget(budget)
        .logRetriesAt(retryLogLevel);
  }

  /** Settings of a rule; every one has a default. */
  public static final class Builder {
    private final Predicate<Throwable> retryable;
    private Duration firstDelay = Duration.ofMillis(50);
    private Duration maxDelay = Duration.ofSeconds(2);
    private double jitter = 0.25;
    private Duration budget = Duration.ofSeconds(60);
    private Level retryLogLevel = Level.WARN;

    private Builder(Predicate<Throwable> retryable) {
      this.retryable = requireNonNull(retryable, "retryable is null");
    }

    /** The first pause (default 50 ms), doubling up to {@code max} (default 2 s). */
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

    /** How much each pause varies, as a fraction of it: 0 to 1 (default 0.25). */
    public Builder jitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("Invalid jitter: " + fraction + " (0 to 1)");
      }
      this.jitter = fraction;
      return this;
    }

    /** The total time of all attempts and pauses (default 60 s). */
    public Builder budget(Duration total) {
      requireNonNull(total, "total is null");
      if (total.isNegative()) {
        throw new IllegalArgumentException("Invalid retry budget: " + total);
      }
      this.budget = total;
      return this;
    }

    /** The level retries are logged at (default WARN). */
    public Builder logRetriesAt(Level level) {
      this.retryLogLevel = requireNonNull(level, "level is null");
      return this;
    }

    public RetryRule build() {
      return new RetryRule(this);
    }
  }
}
