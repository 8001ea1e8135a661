package io.sluice.engine;

/** A command was given bad arguments or configuration (exit code 2). */
public class InvalidUsageException extends RuntimeException {
  public InvalidUsageException(String message) {
    super(message);
  }

  public InvalidUsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
