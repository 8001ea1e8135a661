package io.sluice.engine;

/**
 * The source data does not match the feature view: a missing column, a column of an incompatible
 * type, a value that does not fit (exit code 3). Raised before any write where it can be known from
 * the schema.
 */
public final class InvalidSourceDataException extends RuntimeException {
  public InvalidSourceDataException(String message) {
    super(message);
  }

  public InvalidSourceDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
