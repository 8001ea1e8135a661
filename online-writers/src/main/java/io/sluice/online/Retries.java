package io.sluice.online;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.failsafe.function.CheckedSupplier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writers' one retry rule, on Failsafe: capped exponential backoff (50 ms doubling to 2 s) with
 * 25% jitter, within a total time budget, only for failures the caller calls transient. Earlier
 * failures are kept as suppressed exceptions of the one finally thrown; an interrupt stops at once.
 */
public final class Retries {
  private static final Logger LOG = LoggerFactory.getLogger(Retries.class);
  private static final int MAX_SUPPRESSED = 5;
  private static final Duration FIRST_DELAY = Duration.ofMillis(50);

  private Retries() {}

  /**
   * Runs {@code attempt}, retrying transient failures until {@code budget} has passed; {@code
   * beforeRetry} runs before each new attempt (to reconnect, reload a script).
   *
   * @throws RuntimeException the last failure, with earlier ones suppressed
   */
  public static <T> T withBudget(
      String what,
      Duration budget,
      Predicate<Throwable> isTransient,
      Runnable beforeRetry,
      CheckedSupplier<T> attempt) {
    List<Throwable> failures = new ArrayList<>();
    RetryPolicyBuilder<T> builder = RetryPolicy.<T>builder().handleIf(isTransient::test);
    if (budget.compareTo(FIRST_DELAY) <= 0) {
      builder.withMaxRetries(0); // a budget shorter than the first pause: one attempt
    } else {
      builder
          .withBackoff(FIRST_DELAY, Duration.ofSeconds(2))
          .withJitter(0.25)
          .withMaxDuration(budget)
          .withMaxRetries(-1);
    }
    RetryPolicy<T> policy =
        builder
            .onFailedAttempt(
                event -> {
                  if (failures.size() < MAX_SUPPRESSED) {
                    failures.add(event.getLastException());
                  }
                })
            .onRetry(
                event -> {
                  LOG.warn(
                      "Retrying {} (attempt {}, {} ms elapsed) after: {}",
                      what,
                      event.getAttemptCount() + 1,
                      event.getElapsedTime().toMillis(),
                      event.getLastException().toString());
                  beforeRetry.run();
                })
            .build();
    try {
      return Failsafe.with(policy).get(attempt);
    } catch (FailsafeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw withSuppressed(new RuntimeException("Cannot " + what + ": " + cause, cause), failures);
    } catch (RuntimeException e) {
      throw withSuppressed(e, failures);
    }
  }

  /** A budget for messages: "0.5 s", "60 s". */
  public static String describe(Duration budget) {
    double seconds = budget.toMillis() / 1000.0;
    return (seconds == Math.rint(seconds)
            ? Long.toString((long) seconds)
            : Double.toString(seconds))
        + " s";
  }

  private static RuntimeException withSuppressed(RuntimeException last, List<Throwable> failures) {
    for (Throwable failure : failures) {
      if (failure != last) {
        last.addSuppressed(failure);
      }
    }
    return last;
  }
}
