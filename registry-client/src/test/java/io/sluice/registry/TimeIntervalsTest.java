package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeIntervalsTest {
  private static TimeInterval hours(int start, int end) {
    Instant base = Instant.parse("2024-01-01T00:00:00Z");
    return new TimeInterval(base.plusSeconds(3600L * start), base.plusSeconds(3600L * end));
  }

  @Test
  void overlappingAndAdjacentIntervalsCoalesce() {
    assertThat(TimeIntervals.merge(List.of(hours(5, 6), hours(0, 2), hours(1, 3), hours(3, 4))))
        .containsExactly(hours(0, 4), hours(5, 6));
  }

  @Test
  void containedAndDuplicateIntervalsDisappear() {
    assertThat(TimeIntervals.merge(List.of(hours(0, 10), hours(2, 3), hours(0, 10))))
        .containsExactly(hours(0, 10));
  }

  @Test
  void separateIntervalsStaySortedAndApart() {
    assertThat(TimeIntervals.merge(List.of(hours(4, 5), hours(0, 1), hours(2, 3))))
        .containsExactly(hours(0, 1), hours(2, 3), hours(4, 5));
  }

  @Test
  void coverageAndGapsSplitAWindow() {
    List<TimeInterval> recorded = List.of(hours(0, 2), hours(4, 5), hours(7, 12));

    assertThat(TimeIntervals.coverage(recorded, hours(1, 9)))
        .containsExactly(hours(1, 2), hours(4, 5), hours(7, 9));
    assertThat(TimeIntervals.gaps(recorded, hours(1, 9))).containsExactly(hours(2, 4), hours(5, 7));
    assertThat(TimeIntervals.gaps(List.of(), hours(1, 9))).containsExactly(hours(1, 9));
    assertThat(TimeIntervals.gaps(recorded, hours(8, 10))).isEmpty();
  }

  @Test
  void latestEndIsWhereIncrementalRunsStart() {
    assertThat(TimeIntervals.latestEnd(List.of(hours(0, 2), hours(4, 5))))
        .contains(hours(4, 5).end());
    assertThat(TimeIntervals.latestEnd(List.of())).isEmpty();
  }

  @Test
  void emptyOrReversedWindowIsRejected() {
    assertThatThrownBy(() -> hours(3, 3))
        .isInstanceOf(RegistryConfigurationException.class)
        .hasMessage(
            "Invalid window [2024-01-01T03:00:00Z, 2024-01-01T03:00:00Z): start must be before end");
  }
}
