package io.sluice.benchmark.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessTimesTest {
  @Test
  void readsWallUserSystemAndPeakRss() {
    ProcessTimes times = ProcessTimes.parse(List.of("12.50 18.20 1.80 1843200"));

    assertThat(times).isEqualTo(new ProcessTimes(12.5, 18.2, 1.8, 1_843_200L));
    assertThat(times.cpuPercent(12.5, 2)).isCloseTo(80.0, within(1e-9));
  }

  @Test
  void skipsTheExitStatusLineBeforeTheFigures() {
    ProcessTimes times =
        ProcessTimes.parse(
            List.of("Command exited with non-zero status 4", "1.00 0.50 0.10 2048", ""));

    assertThat(times.peakRssKb()).isEqualTo(2048L);
  }

  @Test
  void aLineOfAnotherFormatIsAnError() {
    assertThatThrownBy(() -> ProcessTimes.parse(List.of("0:01.00 elapsed")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid /usr/bin/time line (expected \"%e %U %S %M\"): 0:01.00 elapsed");
  }
}
