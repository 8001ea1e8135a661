package io.sluice.online;

/**
 * A row's value cannot be encoded as its declared Feast type, or a join key is null (exit code 3).
 * Nothing of the batch holding the row was sent.
 */
public final class InvalidFeatureValueException extends OnlineStoreException {
  public InvalidFeatureValueException(String message) {
    this(message, WriteStats.NONE, 0);
  }

  public InvalidFeatureValueException(
      String message, WriteStats acknowledged, long rowsNotWritten) {
    super(message, null, acknowledged, rowsNotWritten);
  }

  /** The same failure, with the writer's progress added. */
  public InvalidFeatureValueException withProgress(WriteStats acknowledged, long rowsNotWritten) {
    return new InvalidFeatureValueException(getMessage(), acknowledged, rowsNotWritten);
  }
}
