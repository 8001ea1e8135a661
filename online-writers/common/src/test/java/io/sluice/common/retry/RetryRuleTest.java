package io.sluice.common.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryRuleTest {
  private static final class Transient extends RuntimeException {
    Transient(String message) {
      super(message);
    }
  }

  private static RetryRule rule(Duration budget) {
    return RetryRule.retrying(e -> e instanceof Transient)
        .backoff(Duration.ofMillis(1), Duration.ofMillis(4))
        .jitter(0.5)
        .budget(budget)
        .build();
  }

  @Test
  void retryableFailuresAreRetriedUntilTheAttemptSucceeds() {
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger reconnects = new AtomicInteger();

    String result =
        rule(Duration.ofSeconds(10))
            .call(
                "write",
                reconnects::incrementAndGet,
                () -> {
                  if (attempts.incrementAndGet() < 4) {
                    throw new Transient("busy " + attempts.get());
                  }
                  return "done";
                });

    assertThat(result).isEqualTo("done");
    assertThat(attempts).hasValue(4);
    assertThat(reconnects).hasValue(3);
  }

  @Test
  void maxAttemptsEndsTheRetriesBeforeTheBudgetDoes() {
    AtomicInteger attempts = new AtomicInteger();
    RetryRule threeAttempts =
        RetryRule.retrying(e -> e instanceof Transient)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(4))
            .jitter(0.5)
            .budget(Duration.ofHours(1))
            .maxAttempts(3)
            .build();

    assertThatThrownBy(
            () ->
                threeAttempts.call(
                    "write",
                    () -> {
                      throw new Transient("busy " + attempts.incrementAndGet());
                    }))
        .isInstanceOf(RetryExhaustedException.class)
        .hasRootCauseMessage("busy 3");
    assertThat(attempts).hasValue(3);
    assertThatThrownBy(() -> RetryRule.retrying(e -> true).maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRetryListenerHearsTheFailureBeforeEachRetryAndNotTheFinalOne() {
    List<String> heard = new CopyOnWriteArrayList<>();
    RetryRule counted =
        RetryRule.retrying(e -> e instanceof Transient)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(4))
            .jitter(0.5)
            .budget(Duration.ofSeconds(10))
            .onRetry(failure -> heard.add(failure.getMessage()))
            .build();
    AtomicInteger attempts = new AtomicInteger();

    assertThat(
            counted.call(
                "write",
                () -> {
                  if (attempts.incrementAndGet() < 3) {
                    throw new Transient("busy " + attempts.get());
                  }
                  return "done";
                }))
        .isEqualTo("done");
    assertThat(heard).containsExactly("busy 1", "busy 2");

    heard.clear();
    assertThatThrownBy(
            () ->
                counted.call(
                    "write",
                    () -> {
                      throw new IllegalStateException("refused");
                    }))
        .hasMessage("refused");
    assertThat(heard).as("a failure that does not retry is no retry").isEmpty();
  }

  @Test
  void anExhaustedBudgetThrowsTheLastFailureWithEarlierOnesSuppressed() {
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                rule(Duration.ofMillis(40))
                    .call(
                        "write 10 rows",
                        () -> {
                          throw new Transient("busy " + attempts.incrementAndGet());
                        }))
        .isInstanceOfSatisfying(
            RetryExhaustedException.class,
            e -> {
              assertThat(attempts.get()).isGreaterThan(1);
              assertThat(e.interrupted()).isFalse();
              assertThat(e.getCause()).hasMessage("busy " + attempts.get());
              assertThat(e.getSuppressed())
                  .isNotEmpty()
                  .hasSizeLessThanOrEqualTo(RetryRule.MAX_SUPPRESSED)
                  .allSatisfy(s -> assertThat(s).isInstanceOf(Transient.class));
            })
        .hasMessage(
            "Cannot write 10 rows within the retry budget of 0.04 s: busy " + attempts.get());
  }

  @Test
  void aBudgetShorterThanTheFirstPauseMeansOneAttempt() {
    AtomicInteger attempts = new AtomicInteger();
    RetryRule once =
        RetryRule.retrying(e -> e instanceof Transient)
            .backoff(Duration.ofMillis(50), Duration.ofSeconds(2))
            .jitter(0.25)
            .budget(Duration.ZERO)
            .build();

    assertThatThrownBy(
            () ->
                once.call(
                    "write",
                    () -> {
                      attempts.incrementAndGet();
                      throw new Transient("busy");
                    }))
        .isInstanceOf(RetryExhaustedException.class);
    assertThat(attempts).hasValue(1);
  }

  @Test
  void aFailureThatDoesNotRetryIsThrownAtOnceAsItIs() {
    AtomicInteger attempts = new AtomicInteger();
    IllegalStateException bug = new IllegalStateException("bug");

    assertThatThrownBy(
            () ->
                rule(Duration.ofSeconds(10))
                    .call(
                        "write",
                        () -> {
                          attempts.incrementAndGet();
                          throw bug;
                        }))
        .isSameAs(bug);
    assertThat(attempts).hasValue(1);
  }

  @Test
  void aCheckedFailureThatDoesNotRetryIsWrapped() {
    assertThatThrownBy(
            () ->
                rule(Duration.ofSeconds(10))
                    .call(
                        "read",
                        () -> {
                          throw new IOException("disk");
                        }))
        .isExactlyInstanceOf(RuntimeException.class)
        .hasMessage("Cannot read: java.io.IOException: disk")
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void anInterruptStopsTheRetriesAndKeepsTheInterruptStatus() {
    RetryRule slow =
        RetryRule.retrying(e -> e instanceof Transient)
            .backoff(Duration.ofSeconds(5), Duration.ofSeconds(10))
            .jitter(0)
            .budget(Duration.ofMinutes(1))
            .build();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(
              () ->
                  slow.call(
                      "write",
                      () -> {
                        throw new Transient("busy");
                      }))
          .isInstanceOfSatisfying(
              RetryExhaustedException.class,
              e -> {
                assertThat(e.interrupted()).isTrue();
                assertThat(e.getSuppressed()).hasOnlyElementsOfType(Transient.class).hasSize(1);
              })
          .hasMessage("Cannot write: interrupted while waiting to retry")
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void describeShowsWholeAndFractionalSeconds() {
    assertThat(RetryRule.describe(Duration.ofSeconds(60))).isEqualTo("60 s");
    assertThat(RetryRule.describe(Duration.ofMillis(500))).isEqualTo("0.5 s");
  }

  @Test
  void badSettingsAreRejected() {
    assertThatThrownBy(() -> RetryRule.retrying(e -> true).jitter(2))
        .hasMessage("Invalid jitter: 2.0 (0 to 1)");
    assertThatThrownBy(() -> RetryRule.retrying(e -> true).budget(Duration.ofSeconds(-1)))
        .hasMessage("Invalid retry budget: PT-1S");
    assertThatThrownBy(
            () ->
                RetryRule.retrying(e -> true).backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("Invalid backoff: first PT2S must be > 0 and < max PT1S");
    assertThatThrownBy(
            () ->
                RetryRule.retrying(e -> true)
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(2))
                    .budget(Duration.ofSeconds(1))
                    .build())
        .hasMessage("Invalid retry rule: backoff, jitter and budget must all be set");
  }
}
