package io.sluice.engine.run;

import static java.util.Objects.requireNonNull;

/**
 * A run stopped by a signal before it completed (see {@link RunStop}). Its exit code is the
 * signal's, 128 + its number (143 for SIGTERM): the run was asked to stop from outside, which is
 * neither a failure of the infrastructure (4) nor of the data. Nothing was recorded; whatever it
 * wrote to the online store stays, and running the window again is safe.
 */
public final class RunStoppedException extends RuntimeException {
  private final RunStop.Signal signal;

  private RunStoppedException(RunStop.Signal signal, String message, Throwable cause) {
    super(message, cause);
    this.signal = requireNonNull(signal, "signal is null");
  }

  /** Stopped before the run row was written. */
  static RunStoppedException beforeRun(RunStop.Signal signal) {
    return new RunStoppedException(
        signal, "Stopped by " + signal.name() + " before the run started; nothing recorded", null);
  }

  /**
   * Stopped after the run row was written: the row is marked FAILED; {@code cause} is how the run's
   * work ended (a cancelled Spark job), or null.
   */
  static RunStoppedException duringRun(RunStop.Signal signal, Throwable cause) {
    return new RunStoppedException(
        signal,
        "Stopped by "
            + signal.name()
            + " before the run completed; no interval recorded (what it wrote to the online store"
            + " stays; running the window again is safe)",
        cause);
  }

  public RunStop.Signal signal() {
    return signal;
  }
}
