package io.sluice.common.config;

/**
 * {@code feature_store.yaml} cannot be used as written: unreadable, malformed, an unknown key, a
 * value of the wrong type or out of bounds, an unset {@code ${VAR}}. The message names the file,
 * the section and the key, and what to write instead. Exit code 2.
 */
public final class InvalidConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidConfigException(String message) {
    super(message);
  }

  public InvalidConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
