package io.sluice.engine.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.engine.InvalidUsageException;
import io.sluice.online.config.OnlineStoreConfig;
import io.sluice.online.config.OnlineStoreConfigParser;
import io.sluice.online.encoding.EntityKeyFormat;
import io.sluice.registry.FeatureStoreConfigFile;
import io.sluice.registry.RegistryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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
      throw new InvalidUsageException("Invalid " + file + ": " + e.getMessage(), e);
    }
    return new RepoConfig(
        config.file(),
        config.project(),
        config.registryConfig(),
        OnlineStoreConfigParser.parse(config.onlineStore().orElse(null), config.directory()),
        keyFormat,
        batchEngine(config.batchEngine().orElse(null), file));
  }

  static BatchEngineConfig batchEngine(JsonNode section, Path file) {
    if (section == null || section.isNull()) {
      return BatchEngineConfig.defaults();
    }
    if (section.isTextual()) {
      BatchEngineConfig defaults = BatchEngineConfig.defaults();
      return new BatchEngineConfig(
          section.asText(),
          defaults.partitions(),
          defaults.writeBatchSize(),
          defaults.writeRetryBudget(),
          null,
          null,
          Map.of());
    }
    if (!section.isObject()) {
      throw invalid(file, "must be a mapping, got: " + section);
    }
    Iterator<String> keys = section.fieldNames();
    while (keys.hasNext()) {
      String key = keys.next();
      if (!BATCH_ENGINE_KEYS.contains(key)) {
        throw invalid(
            file, "unknown key '" + key + "'; known keys: " + new TreeSet<>(BATCH_ENGINE_KEYS));
      }
    }
    Map<String, String> sparkConf = new LinkedHashMap<>();
    JsonNode conf = section.get(BatchEngineConfig.SPARK_CONF);
    if (conf != null && !conf.isNull()) {
      if (!conf.isObject()) {
        throw invalid(file, "spark_conf must be a mapping of Spark settings, got: " + conf);
      }
      conf.fields()
          .forEachRemaining(entry -> sparkConf.put(entry.getKey(), entry.getValue().asText()));
    }
    int partitions = integer(section, BatchEngineConfig.PARTITIONS, 0, file);
    int batchSize =
        integer(
            section,
            BatchEngineConfig.WRITE_BATCH_SIZE,
            BatchEngineConfig.DEFAULT_WRITE_BATCH_SIZE,
            file);
    int retrySeconds =
        integer(
            section,
            BatchEngineConfig.WRITE_RETRY_SECONDS,
            (int) BatchEngineConfig.DEFAULT_WRITE_RETRY_BUDGET.toSeconds(),
            file);
    if (partitions < 0) {
      throw invalid(
          file, "partitions must be >= 0 (0 keeps Spark's partitioning), got " + partitions);
    }
    if (batchSize < 1) {
      throw invalid(file, "write_batch_size must be >= 1, got " + batchSize);
    }
    if (retrySeconds < 0) {
      throw invalid(file, "write_retry_seconds must be >= 0, got " + retrySeconds);
    }
    return new BatchEngineConfig(
        text(section, BatchEngineConfig.TYPE, BatchEngineConfig.DEFAULT_TYPE),
        partitions,
        batchSize,
        Duration.ofSeconds(retrySeconds),
        text(section, BatchEngineConfig.STAGING_LOCATION, null),
        text(section, BatchEngineConfig.REGION, null),
        sparkConf);
  }

  private static int integer(JsonNode section, String key, int defaultValue, Path file) {
    JsonNode node = section.get(key);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      throw invalid(file, key + " must be a whole number, got: " + node);
    }
    return node.asInt();
  }

  private static String text(JsonNode section, String key, String defaultValue) {
    JsonNode node = section.get(key);
    return node == null || node.isNull() ? defaultValue : node.asText();
  }

  private static InvalidUsageException invalid(Path file, String detail) {
    return new InvalidUsageException("Invalid batch_engine in " + file + ": " + detail);
  }
}
