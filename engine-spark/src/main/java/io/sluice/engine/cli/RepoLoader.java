package io.sluice.engine.cli;

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
