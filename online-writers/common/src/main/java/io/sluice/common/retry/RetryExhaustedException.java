package io.sluice.common.retry;

/**
 * A {@link RetryRule} gave up on a failure it retries: the time budget ran out, or the thread was
 * interrupted while waiting for the next attempt (then the interrupt status is set again). The
 * cause is the last failure; up to {@value RetryRule#MAX_SUPPRESSED} earlier ones are suppressed.
 */
public final class RetryExhaustedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean interrupted;

  RetryExhaustedException(String message, Throwable last, boolean interrupted) {
    super(message, last);
    this.interrupted = interrupted;
  }

  /** Whether an interrupt, rather than the budget, ended the retries. */
  public boolean interrupted() {
    return interrupted;
  }
}
