package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.config.RepoConfig;
import io.sluice.registry.SqlRegistry;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every command starts with: the repository's configuration, and its registry. */
final class RepoLoader {
  private RepoLoader() {}

  static RepoConfig loadConfig(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidUsageException(
          "Cannot read config "
              + file.toAbsolutePath()
              + ": no such file; pass --config <path to feature_store.yaml>");
    }
    return RepoConfig.load(file);
  }

  /** What a registry command does with the loaded configuration and the open registry. */
  @FunctionalInterface
  interface RegistryWork {
    void fill(ObjectNode result, RepoConfig config, SqlRegistry registry) throws Exception;
  }

  /**
   * A command's body that loads {@code configFile}, opens its registry, runs {@code work} and
   * closes the registry again.
   */
  static CommandOutput.JsonBody withRegistry(Path configFile, RegistryWork work) {
    return result -> {
      RepoConfig config = loadConfig(configFile);
      try (SqlRegistry registry = openRegistry(config)) {
        work.fill(result, config, registry);
      }
    };
  }

  /** Opens the registry, creating Feast's tables (and Sluice's) when missing. */
  static SqlRegistry openRegistry(RepoConfig config) {
    SqlRegistry registry = SqlRegistry.open(config.registry());
    try {
      registry.ensureSchema();
      return registry;
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }
}
