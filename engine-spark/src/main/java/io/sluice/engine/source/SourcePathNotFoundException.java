package io.sluice.engine.source;

import io.sluice.engine.InvalidUsageException;

/**
 * A file source whose path does not exist (exit code 2, as every usage error). Its own class
 * because staging treats it apart: a failed write may still be resumed from its stage.
 */
public final class SourcePathNotFoundException extends InvalidUsageException {
  public SourcePathNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
