package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.InvalidUsageException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Test
  void acceptsOffsetsNaiveUtcAndDates() {
    Instant expected = Instant.parse("2024-05-01T00:00:00Z");
    assertThat(Timestamps.parse("--start", "2024-05-01T00:00:00Z")).isEqualTo(expected);
    assertThat(Timestamps.parse("--start", "2024-05-01T02:00:00+02:00")).isEqualTo(expected);
    assertThat(Timestamps.parse("--start", "2024-05-01T00:00:00")).isEqualTo(expected);
    assertThat(Timestamps.parse("--start", "2024-05-01 00:00:00")).isEqualTo(expected);
    assertThat(Timestamps.parse("--start", "2024-05-01")).isEqualTo(expected);
    assertThat(Timestamps.parse("--start", "2024-05-01T00:00:00.5Z"))
        .isEqualTo(expected.plusMillis(500));
  }

  @Test
  void rejectsAnythingElseNamingTheOption() {
    assertThatThrownBy(() -> Timestamps.parse("--end", "05/01/2024"))
        .isInstanceOf(InvalidUsageException.class)
        .hasMessageStartingWith("Invalid --end '05/01/2024': expected an ISO-8601 time");
  }
}
