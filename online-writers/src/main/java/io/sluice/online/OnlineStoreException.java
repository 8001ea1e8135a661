package io.sluice.online;

import static java.util.Objects.requireNonNull;

/**
 * A failure of an online store writer. Subclasses name the kind, which decides whether a caller
 * should retry the run and the command's exit code: a configuration the store rejects (2), a value
 * that cannot be encoded (3), a store unavailable past the retry budget (4, worth retrying).
 * Carries the rows the writer had acknowledged before it failed, which stay written.
 */
public abstract sealed class OnlineStoreException extends RuntimeException
    permits InvalidOnlineStoreConfigException,
        InvalidFeatureValueException,
        OnlineStoreUnavailableException {
  private final WriteStats acknowledged;
  private final long rowsNotWritten;

  protected OnlineStoreException(
      String message, Throwable cause, WriteStats acknowledged, long rowsNotWritten) {
    super(message, cause);
    this.acknowledged = requireNonNull(acknowledged, "acknowledged is null");
    this.rowsNotWritten = rowsNotWritten;
  }

  /** What the writer had acknowledged before the failure; those rows stay in the store. */
  public WriteStats acknowledged() {
    return acknowledged;
  }

  /** Rows of the failing batch that were not acknowledged (some may have landed). */
  public long rowsNotWritten() {
    return rowsNotWritten;
  }
}
