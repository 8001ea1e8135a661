package io.sluice.engine.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.backfill.BackfillWindows.Order;
import io.sluice.registry.TimeInterval;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackfillWindowsTest {
  private static Instant at(String text) {
    return Instant.parse(text);
  }

  private static TimeInterval window(String start, String end) {
    return new TimeInterval(at(start), at(end));
  }

  @Test
  void theRangeIsCutAtMultiplesOfTheStepAndClippedAtItsEnds() {
    assertThat(
            BackfillWindows.split(
                at("2024-05-01T00:30:00Z"), at("2024-05-01T03:15:00Z"), Duration.ofHours(1)))
        .containsExactly(
            window("2024-05-01T00:30:00Z", "2024-05-01T01:00:00Z"),
            window("2024-05-01T01:00:00Z", "2024-05-01T02:00:00Z"),
            window("2024-05-01T02:00:00Z", "2024-05-01T03:00:00Z"),
            window("2024-05-01T03:00:00Z", "2024-05-01T03:15:00Z"));
    assertThat(
            BackfillWindows.split(
                at("2024-05-01T00:00:00Z"), at("2024-05-03T00:00:00Z"), Duration.ofDays(1)))
        .containsExactly(
            window("2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z"),
            window("2024-05-02T00:00:00Z", "2024-05-03T00:00:00Z"));
    assertThat(
            BackfillWindows.split(
                at("2024-05-01T00:00:00Z"), at("2024-05-01T00:00:00.5Z"), Duration.ofHours(1)))
        .containsExactly(window("2024-05-01T00:00:00Z", "2024-05-01T00:00:00.5Z"));
    assertThat(
            BackfillWindows.split(
                at("1969-12-31T22:00:00Z"), at("1970-01-01T01:00:00Z"), Duration.ofHours(1)))
        .hasSize(3)
        .first()
        .isEqualTo(window("1969-12-31T22:00:00Z", "1969-12-31T23:00:00Z"));
  }

  @Test
  void badRangesAndStepsAreRefusedWithTheOptionNamed() {
    assertThatThrownBy(
            () ->
                BackfillWindows.split(
                    at("2024-05-02T00:00:00Z"), at("2024-05-01T00:00:00Z"), Duration.ofHours(1)))
        .isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("--start 2024-05-02T00:00:00Z must be before --end");
    assertThatThrownBy(
            () ->
                BackfillWindows.split(
                    at("2000-01-01T00:00:00Z"), at("2024-01-01T00:00:00Z"), Duration.ofMinutes(1)))
        .isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("more than 100000")
        .hasMessageContaining("longer --step");
    for (String bad : List.of("", "1", "h", "-1h", "0s", "1.5h", "PT0.5S", "1w")) {
      assertThatThrownBy(() -> BackfillWindows.parseStep(bad))
          .as(bad)
          .isInstanceOf(InvalidUsageException.class)
          .hasMessageContaining("Invalid --step '" + bad + "'");
    }
    assertThatThrownBy(() -> Order.parse("newest"))
        .isInstanceOf(InvalidUsageException.class)
        .hasMessageContaining("newest-first")
        .hasMessageContaining("oldest-first");
  }

  @Test
  void stepsParseInShortAndIsoForms() {
    assertThat(BackfillWindows.parseStep("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(BackfillWindows.parseStep("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(BackfillWindows.parseStep("15min")).isEqualTo(Duration.ofMinutes(15));
    assertThat(BackfillWindows.parseStep("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(BackfillWindows.parseStep("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(BackfillWindows.parseStep("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThat(BackfillWindows.parseStep("p1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Order.parse("Oldest-First")).isEqualTo(Order.OLDEST_FIRST);
  }

  @Test
  void newestFirstIsTheReverseOfOldestFirst() {
    List<TimeInterval> windows =
        BackfillWindows.split(
            at("2024-05-01T00:00:00Z"), at("2024-05-01T03:00:00Z"), Duration.ofHours(1));

    assertThat(BackfillWindows.ordered(windows, Order.NEWEST_FIRST))
        .extracting(TimeInterval::start)
        .containsExactly(
            at("2024-05-01T02:00:00Z"), at("2024-05-01T01:00:00Z"), at("2024-05-01T00:00:00Z"));
    assertThat(BackfillWindows.ordered(windows, Order.OLDEST_FIRST)).isEqualTo(windows);
  }

  @Test
  void aWindowIsCoveredOnlyWhenOneRecordedIntervalHoldsAllOfIt() {
    List<TimeInterval> recorded =
        List.of(
            window("2024-05-01T00:00:00Z", "2024-05-01T02:00:00Z"),
            window("2024-05-01T03:00:00Z", "2024-05-01T03:30:00Z"));

    assertThat(
            BackfillWindows.covered(
                window("2024-05-01T01:00:00Z", "2024-05-01T02:00:00Z"), recorded))
        .isTrue();
    assertThat(
            BackfillWindows.covered(
                window("2024-05-01T01:30:00Z", "2024-05-01T02:30:00Z"), recorded))
        .isFalse();
    assertThat(
            BackfillWindows.covered(
                window("2024-05-01T03:00:00Z", "2024-05-01T04:00:00Z"), recorded))
        .isFalse();
    assertThat(
            BackfillWindows.covered(
                window("2024-05-01T00:00:00Z", "2024-05-01T01:00:00Z"), List.of()))
        .isFalse();
  }

  @Test
  void theBackfillsExitCodeIsTheWorstChildsAndRetryableOnlyWhenEveryFailureIs() {
    assertThat(Backfill.worse(0, 4)).isEqualTo(4);
    assertThat(Backfill.worse(4, 1)).isEqualTo(1);
    assertThat(Backfill.worse(137, 4)).isEqualTo(1);
    assertThat(Backfill.worse(1, 3)).isEqualTo(3);
    assertThat(Backfill.worse(2, 3)).isEqualTo(2);
    assertThat(Backfill.worse(4, 0)).isEqualTo(4);
    assertThat(Backfill.worse(0, 0)).isEqualTo(0);
  }
}
