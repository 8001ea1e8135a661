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
    assertThat(WriteOptions.defaults().parallelWriters()).isEqualTo(1);
    assertThat(WriteOptions.defaults().withParallelWriters(16).parallelWriters()).isEqualTo(16);
    assertThatThrownBy(() -> WriteOptions.defaults().withParallelWriters(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parallelWriters must be >= 1: 0");
  }

  @Test
  void retriesAreCountedAndThrottledOnesApart() {
    StoreRetries counted = StoreRetries.counting(e -> e.getMessage().startsWith("throttled"));
    AtomicInteger attempts = new AtomicInteger();

    String result =
        WriteOptions.defaults()
            .retryRule(e -> true, counted)
            .call(
                "write",
                () -> {
                  switch (attempts.incrementAndGet()) {
                    case 1, 3 -> throw new IllegalStateException("throttled " + attempts);
                    case 2 -> throw new IllegalStateException("busy");
                    default -> {
                      return "done";
                    }
                  }
                });

    assertThat(result).isEqualTo("done");
    assertThat(counted.retries()).isEqualTo(3);
    assertThat(counted.throttled()).isEqualTo(2);
    assertThat(new WriteStats(5, 1).withRetries(counted)).isEqualTo(new WriteStats(5, 1, 3, 2));
    assertThat(new WriteStats(5, 1, 3, 2).since(new WriteStats(2, 1, 1, 0)))
        .isEqualTo(new WriteStats(3, 0, 2, 2));
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
