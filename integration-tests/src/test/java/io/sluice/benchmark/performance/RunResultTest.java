package io.sluice.benchmark.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RunResultTest {
  @Test
  void fixedCostWithStartupIsLauncherShareAndStartupAndPlan() {
    // wall 10: 0.7 s of bash and JVM boot the JVM cannot see, 1.3 s startup, a 8.0 s run.
    Map<String, Double> seconds =
        Map.of(
            "startup",
            1.3,
            "plan",
            0.4,
            "read_reduce",
            3.0,
            "write",
            4.5,
            "record",
            0.1,
            "total",
            8.0);

    assertThat(RunResult.fixedCostSeconds(10.0, seconds)).isCloseTo(0.7 + 1.3 + 0.4, within(1e-9));
  }

  @Test
  void fixedCostWithoutStartupIsWhatTheRowStagesDoNotTake() {
    Map<String, Double> seconds =
        Map.of("plan", 0.4, "read_reduce", 3.0, "write", 4.5, "record", 0.1, "total", 8.0);

    assertThat(RunResult.fixedCostSeconds(10.0, seconds)).isCloseTo(10.0 - 7.6, within(1e-9));
  }

  @Test
  void aReportWithoutTheStagesIsAnError() {
    assertThatThrownBy(() -> RunResult.fixedCostSeconds(10.0, Map.of("plan", 0.4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("No seconds.read_reduce in {plan=0.4}");
  }
}
