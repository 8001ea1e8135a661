package io.sluice.registry;

/**
 * Base of every failure the registry client reports. Each subclass is one failure kind, so a caller
 * maps kinds to exit codes without reading messages:
 *
 * <ul>
 *   <li>{@link RegistryConfigurationException} (and its subclasses): bad usage or configuration;
 *       retrying cannot help (exit 2).
 *   <li>{@link RegistryUnavailableException}: the database could not be reached or stayed busy past
 *       the retry budget; worth retrying later (exit 4).
 *   <li>{@link RegistryOutcomeUnknownException}: a commit failed in a way that does not tell
 *       whether it landed; do not clean up, tell the operator.
 * </ul>
 *
 * <p>Messages start with "Cannot …" or "Invalid …", name the bad value and say what to do. They
 * never contain a password.
 */
public abstract class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
