package io.sluice.online;

/**
 * The store could not be reached, or kept failing past the retry budget: worth retrying the run
 * later (exit code 4).
 */
public final class OnlineStoreUnavailableException extends OnlineStoreException {
  public OnlineStoreUnavailableException(
      String message, Throwable cause, WriteStats acknowledged, long rowsNotWritten) {
    super(message, cause, acknowledged, rowsNotWritten);
  }
}
