package io.sluice.registry;

/**
 * A commit was sent but its acknowledgement was lost (the connection broke during {@code COMMIT}),
 * so the change may or may not be in the registry. Callers must not undo work on this error; they
 * report it to the operator. Recording the same interval again is harmless (merging is idempotent),
 * so re-running the same window is the usual remedy.
 */
public class RegistryOutcomeUnknownException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public RegistryOutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
