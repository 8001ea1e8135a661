package io.sluice.registry;

/**
 * The registry database could not be reached, dropped the connection, or stayed locked past the
 * retry budget. Nothing was committed by the failing call; retrying it later is safe.
 */
public class RegistryUnavailableException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public RegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
