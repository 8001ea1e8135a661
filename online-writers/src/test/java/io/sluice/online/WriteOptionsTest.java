package io.sluice.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.common.retry.RetryExhaustedException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriteOptionsTest {
  @Test
  void defaultsAreNewerOnlyV3AndASixtySecondBudget() {
    assertThat(WriteOptions.defaults())
        .isEqualTo(
            new WriteOptions(WriteMode.NEWER_ONLY, EntityKeyFormat.V3, Duration.ofSeconds(60)));
    assertThatThrownBy(() -> WriteOptions.defaults().withRetryBudget(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid retry budget: PT-1S");
  }

  @Test
  void theRetryRuleKeepsWithinTheBudget() {
    assertThat(
            WriteOptions.defaults()
                .withRetryBudget(Duration.ofMillis(300))
                .retryRule(e -> true)
                .budget())
        .isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void aBudgetNoLongerThanTheFirstPauseMeansOneAttempt() {
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                WriteOptions.defaults()
                    .withRetryBudget(WriteOptions.FIRST_RETRY_PAUSE)
                    .retryRule(e -> true)
                    .call(
                        "write",
                        () -> {
                          attempts.incrementAndGet();
                          throw new IllegalStateException("busy");
                        }))
        .isInstanceOf(RetryExhaustedException.class)
        .hasMessage("Cannot write within the retry budget of 0.05 s: busy");
    assertThat(attempts).hasValue(1);
  }
}
