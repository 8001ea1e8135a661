package io.sluice.online.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The naive UTC text Feast's online stores write, as Python prints a datetime. */
class FeastTimestampsTest {
  @Test
  void timestampTextsShowMicrosecondsOnlyWhenNotZero() {
    assertThat(FeastTimestamps.naiveUtcText(Instant.parse("2021-04-12T10:59:42Z")))
        .isEqualTo("2021-04-12 10:59:42");
    assertThat(FeastTimestamps.naiveUtcText(Instant.parse("2021-04-12T10:59:42.000123999Z")))
        .isEqualTo("2021-04-12 10:59:42.000123");
  }

  @Test
  void timestampTextsOrderLikeTheInstants() {
    Instant[] instants = {
      Instant.parse("2021-04-12T10:59:41.999999Z"),
      Instant.parse("2021-04-12T10:59:42Z"),
      Instant.parse("2021-04-12T10:59:42.000001Z"),
      Instant.parse("2021-04-12T10:59:42.5Z"),
      Instant.parse("2021-04-12T10:59:43Z"),
    };
    for (int i = 1; i < instants.length; i++) {
      assertThat(FeastTimestamps.naiveUtcText(instants[i - 1]))
          .isLessThan(FeastTimestamps.naiveUtcText(instants[i]));
    }
  }
}
