package io.sluice.registry;

/**
 * Bad usage or configuration: an unsupported registry URL, a wrong password, an unknown feature
 * view, an empty window, a malformed definitions file. Retrying the same call cannot succeed.
 */
public class RegistryConfigurationException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public RegistryConfigurationException(String message) {
    super(message, null);
  }

  public RegistryConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
