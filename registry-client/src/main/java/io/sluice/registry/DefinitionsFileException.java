package io.sluice.registry;

import java.nio.file.Path;

/**
 * A definitions YAML file is malformed; the message names the file, the line and the field. Thrown
 * before anything is written.
 */
public class DefinitionsFileException extends RegistryConfigurationException {
  private static final long serialVersionUID = 1L;

  private final int line;

  DefinitionsFileException(Path file, int line, String field, String problem) {
    super(
        String.format(
            "Invalid definitions file %s, line %d, field %s: %s",
            file, line, field.isEmpty() ? "(document)" : field, problem));
    this.line = line;
  }

  /** The 1-based line of the offending value, or 0 when the file could not be read at all. */
  int line() {
    return line;
  }
}
