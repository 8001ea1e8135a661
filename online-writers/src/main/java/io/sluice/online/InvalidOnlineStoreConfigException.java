package io.sluice.online;

/** The {@code online_store} configuration is invalid or rejected by the store (exit code 2). */
public final class InvalidOnlineStoreConfigException extends OnlineStoreException {
  public InvalidOnlineStoreConfigException(String message) {
    this(message, null, WriteStats.NONE, 0);
  }

  public InvalidOnlineStoreConfigException(
      String message, Throwable cause, WriteStats acknowledged, long rowsNotWritten) {
    super(message, cause, acknowledged, rowsNotWritten);
  }
}
