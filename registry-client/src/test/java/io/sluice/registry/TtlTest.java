package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TtlTest {
  @Test
  void unitsParse() {
    assertThat(Ttl.parse("90s")).contains(Duration.ofSeconds(90));
    assertThat(Ttl.parse("15m")).contains(Duration.ofMinutes(15));
    assertThat(Ttl.parse("2h")).contains(Duration.ofHours(2));
    assertThat(Ttl.parse("1d")).contains(Duration.ofDays(1));
    assertThat(Ttl.parse("2w")).contains(Duration.ofDays(14));
  }

  @Test
  void zeroMeansNoLimit() {
    assertThat(Ttl.parse("0")).contains(Duration.ZERO);
    assertThat(Ttl.parse("0s")).contains(Duration.ZERO);
  }

  @Test
  void otherFormsAreRejected() {
    assertThat(Ttl.parse("5")).isEmpty();
    assertThat(Ttl.parse("1.5h")).isEmpty();
    assertThat(Ttl.parse("-1d")).isEmpty();
    assertThat(Ttl.parse("1 day")).isEmpty();
    assertThat(Ttl.parse("")).isEmpty();
  }
}
