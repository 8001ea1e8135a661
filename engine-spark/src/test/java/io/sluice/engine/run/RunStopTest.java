package io.sluice.engine.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a signal does in each phase of a run (the signal's thread is played by this one). */
class RunStopTest {
  private static final RunStop.Signal TERM = new RunStop.Signal("SIGTERM", 15);
  private static final RunStop.Signal INT = new RunStop.Signal("SIGINT", 2);

  private final AtomicInteger cancelled = new AtomicInteger();

  @Test
  void aSignalBeforeTheRunBeganHasNothingToStopAndNoRunBeginsAfterIt() {
    RunStop stop = new RunStop();
    assertThat(stop.request(TERM)).isFalse();
    assertThatThrownBy(() -> stop.begin(cancelled::incrementAndGet))
        .isInstanceOf(RunStoppedException.class)
        .hasMessage("Stopped by SIGTERM before the run started; nothing recorded")
        .satisfies(e -> assertThat(ExitCodes.of(e)).isEqualTo(143));
    assertThat(cancelled).hasValue(0);
    assertThat(stop.stoppedBy()).isEmpty();
  }

  @Test
  void aSignalDuringTheRunCancelsItsWorkAndStopsItOnce() {
    RunStop stop = new RunStop();
    stop.begin(cancelled::incrementAndGet);
    stop.check();
    assertThat(stop.request(TERM)).isTrue();
    assertThat(cancelled).hasValue(1);
    assertThat(stop.stoppedBy()).contains(TERM);
    assertThatThrownBy(stop::check)
        .isInstanceOf(RunStoppedException.class)
        .hasMessage(
            "Stopped by SIGTERM before the run completed; no interval recorded (what it wrote to"
                + " the online store stays; running the window again is safe)");
    assertThatThrownBy(stop::completing).isInstanceOf(RunStoppedException.class);

    // A second signal changes nothing: the first one stopped the run.
    assertThat(stop.request(INT)).isTrue();
    assertThat(cancelled).hasValue(1);
    assertThat(stop.stoppedBy()).contains(TERM);
    stop.end();
    assertThat(stop.request(INT)).isTrue();
  }

  @Test
  void aSignalWhileTheRunRecordsItsIntervalLetsItComplete() {
    RunStop stop = new RunStop();
    stop.begin(cancelled::incrementAndGet);
    stop.completing();
    assertThat(stop.request(TERM)).as("the command ends by itself").isTrue();
    assertThat(cancelled).hasValue(0);
    assertThat(stop.stoppedBy()).isEmpty();
    stop.check();
    stop.end();
  }

  @Test
  void aSignalAfterTheRunEndedWaitsForTheReportAndStopsTheNextRun() {
    RunStop stop = new RunStop();
    stop.begin(cancelled::incrementAndGet);
    stop.end();
    assertThat(stop.request(INT)).isTrue();
    assertThat(cancelled).hasValue(0);
    assertThatThrownBy(() -> stop.begin(cancelled::incrementAndGet))
        .hasMessage("Stopped by SIGINT before the run started; nothing recorded")
        .satisfies(e -> assertThat(ExitCodes.of(e)).isEqualTo(130));
  }

  @Test
  void theExitCodeIs128PlusTheSignalsNumber() {
    assertThat(TERM.exitCode()).isEqualTo(ExitCodes.STOPPED_BY_SIGTERM).isEqualTo(143);
    assertThat(INT.exitCode()).isEqualTo(ExitCodes.STOPPED_BY_SIGINT).isEqualTo(130);
    assertThatThrownBy(() -> new RunStop.Signal("SIGBOGUS", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid signal number for SIGBOGUS: 0");
  }
}
