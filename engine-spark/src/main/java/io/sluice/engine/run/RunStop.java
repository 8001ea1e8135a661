package io.sluice.engine.run;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A command's request to stop its run before the run completes: what a signal (SIGTERM from
 * Airflow's timeout, SIGINT from Ctrl-C) asks for. Engine-free: the run hands {@link #begin} what
 * cancels its work, and checks {@link #check} between steps. Thread-safe: the signal's thread
 * requests, the run's thread begins, checks and completes.
 *
 * <p>A run goes through three phases, and a request means something different in each:
 *
 * <ul>
 *   <li>before {@link #begin} (no run row yet): nothing to stop; {@link #request} returns false and
 *       the caller exits as it would have without a run, and a later {@link #begin} refuses to
 *       start one;
 *   <li>from {@link #begin} until {@link #completing}: the run is stopped: {@link #request} cancels
 *       its work and {@link #check} and {@link #completing} throw {@link RunStoppedException}, so
 *       the run's own failure path marks its row FAILED, records no interval and reports;
 *   <li>from {@link #completing} on (the registry transaction that records the interval, then the
 *       report): the run is not stopped; it completes, or fails for its own reasons.
 * </ul>
 *
 * In the last two phases, and after the run ended ({@link #end}), {@link #request} returns true:
 * the command ends by itself and prints its report.
 */
public final class RunStop {
  /** A signal that asks a run to stop: its name ({@code SIGTERM}) and number (15). */
  public record Signal(String name, int number) {
    public Signal {
      requireNonNull(name, "name is null");
      if (number <= 0 || number >= 128) {
        throw new IllegalArgumentException("Invalid signal number for " + name + ": " + number);
      }
    }

    /**
     * 128 + the signal's number (143 for SIGTERM, 130 for SIGINT): what a shell reports, and what
     * the JVM exits with, for a process the signal ended.
     */
    public int exitCode() {
      return 128 + number;
    }
  }

  private enum Phase {
    BEFORE_RUN,
    STOPPABLE,
    COMPLETING,
    ENDED
  }

  private Phase phase = Phase.BEFORE_RUN;
  private Signal requested;
  private Signal stoppedBy;
  private Runnable cancel;

  /**
   * Asks the run to stop. Only the first request's signal is kept. Returns false when no run has
   * begun (there is nothing to stop or report: the caller may exit at once), true when the command
   * ends by itself: the run is stopped now (its work cancelled through what {@link #begin} was
   * given), or it is completing, or it has ended.
   */
  public boolean request(Signal signal) {
    requireNonNull(signal, "signal is null");
    Runnable cancelling = null;
    synchronized (this) {
      if (requested == null) {
        requested = signal;
      }
      if (phase == Phase.BEFORE_RUN) {
        return false;
      }
      if (phase == Phase.STOPPABLE && stoppedBy == null) {
        stoppedBy = requested;
        cancelling = cancel;
      }
    }
    if (cancelling != null) {
      cancelling.run(); // outside the lock: the run's thread may be checking meanwhile
    }
    return true;
  }

  /**
   * Begins a run, before its run row is written; {@code cancel} cancels its work (Spark jobs) when
   * a stop is requested, and must not block. The run ends with {@link #end}.
   *
   * @throws RunStoppedException when a stop was requested already: no run row may be written
   */
  public synchronized void begin(Runnable cancel) {
    requireNonNull(cancel, "cancel is null");
    if (requested != null) {
      throw RunStoppedException.beforeRun(requested);
    }
    phase = Phase.STOPPABLE;
    this.cancel = cancel;
  }

  /** The run begun last has ended (completed, failed or stopped). */
  public synchronized void end() {
    phase = Phase.ENDED;
    cancel = null;
  }

  /** Throws {@link RunStoppedException} when the run was stopped. */
  public synchronized void check() {
    if (stoppedBy != null) {
      throw RunStoppedException.duringRun(stoppedBy, null);
    }
  }

  /**
   * The run is about to record its interval: from here on a request no longer stops it.
   *
   * @throws RunStoppedException when the run was stopped before
   */
  public synchronized void completing() {
    check();
    phase = Phase.COMPLETING;
  }

  /** The signal that stopped the run before it began completing, if one did. */
  public synchronized Optional<Signal> stoppedBy() {
    return Optional.ofNullable(stoppedBy);
  }
}
