package io.sluice.engine.config;

import static java.util.Objects.requireNonNull;

import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.FeatureStoreConfigFile;
import io.sluice.common.config.InvalidConfigException;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.OnlineStoreConfig;
import io.sluice.online.stores.OnlineStores;
import io.sluice.registry.RegistryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything Sluice reads from a Feast {@code feature_store.yaml}, parsed once on the driver:
 * project, registry, online store, entity key format and the batch engine. Relative paths resolve
 * against the file's folder, as in Feast; {@code ${VAR}} references are expanded from the
 * environment.
 */
public record RepoConfig(
    Path file,
    String project,
    RegistryConfig registry,
    OnlineStoreConfig onlineStore,
    EntityKeyFormat keyFormat,
    BatchEngineConfig batchEngine) {
  private static final Set<String> BATCH_ENGINE_KEYS =
      Set.of(
          BatchEngineConfig.TYPE,
          BatchEngineConfig.PARTITIONS,
          BatchEngineConfig.WRITE_BATCH_SIZE,
          BatchEngineConfig.WRITE_RETRY_SECONDS,
          BatchEngineConfig.STAGING_LOCATION,
          BatchEngineConfig.REGION,
          BatchEngineConfig.SPARK_CONF);

  public RepoConfig {
    requireNonNull(file, "file is null");
    requireNonNull(project, "project is null");
    requireNonNull(registry, "registry is null");
    requireNonNull(onlineStore, "onlineStore is null");
    requireNonNull(keyFormat, "keyFormat is null");
    requireNonNull(batchEngine, "batchEngine is null");
  }

  /** Loads and validates {@code feature_store.yaml}. */
  public static RepoConfig load(Path file) {
    FeatureStoreConfigFile config = FeatureStoreConfigFile.load(file);
    EntityKeyFormat keyFormat;
    try {
      keyFormat = EntityKeyFormat.fromVersion(config.entityKeySerializationVersion());
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException("Invalid " + config.file() + ": " + e.getMessage(), e);
    }
    return new RepoConfig(
        config.file(),
        config.project(),
        RegistryConfig.fromSection(config.registry(), config.directory()),
        OnlineStores.parse(config.section(FeatureStoreConfigFile.ONLINE_STORE), config.directory()),
        keyFormat,
        batchEngine(config.section(FeatureStoreConfigFile.BATCH_ENGINE)));
  }

  static BatchEngineConfig batchEngine(ConfigSection section) {
    Optional<String> type = section.shorthand();
    if (type.isPresent()) {
      BatchEngineConfig defaults = BatchEngineConfig.defaults();
      return new BatchEngineConfig(
          type.get(),
          defaults.partitions(),
          defaults.writeBatchSize(),
          defaults.writeRetryBudget(),
          null,
          null,
          Map.of());
    }
    section.requireKnownKeys(BATCH_ENGINE_KEYS);
    return new BatchEngineConfig(
        section.text(BatchEngineConfig.TYPE, BatchEngineConfig.DEFAULT_TYPE),
        section.integer(
            BatchEngineConfig.PARTITIONS,
            BatchEngineConfig.DEFAULT_PARTITIONS,
            0,
            Integer.MAX_VALUE),
        section.integer(
            BatchEngineConfig.WRITE_BATCH_SIZE,
            BatchEngineConfig.DEFAULT_WRITE_BATCH_SIZE,
            1,
            Integer.MAX_VALUE),
        Duration.ofSeconds(
            section.longInteger(
                BatchEngineConfig.WRITE_RETRY_SECONDS,
                BatchEngineConfig.DEFAULT_WRITE_RETRY_BUDGET.toSeconds(),
                0,
                Integer.MAX_VALUE)),
        section.optionalText(BatchEngineConfig.STAGING_LOCATION).orElse(null),
        section.optionalText(BatchEngineConfig.REGION).orElse(null),
        section.stringMap(BatchEngineConfig.SPARK_CONF));
  }
}
