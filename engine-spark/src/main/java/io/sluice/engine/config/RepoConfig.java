package io.sluice.engine.config;

import static java.util.Objects.requireNonNull;

import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.FeastKeys;
import io.sluice.common.config.FeatureStoreConfigFile;
import io.sluice.common.config.InvalidConfigException;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.OnlineStoreConfig;
import io.sluice.online.stores.OnlineStores;
import io.sluice.registry.RegistryConfig;
import io.sluice.registry.RegistryDialect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything Sluice reads from a Feast {@code feature_store.yaml}, parsed once on the driver:
 * project, registry, online store, entity key format and the batch engine. Relative paths resolve
 * as in Feast: {@code online_store.path} against the file's folder, a relative {@code sqlite:///}
 * registry URL against the working directory. {@code ${VAR}} references are expanded from the
 * environment.
 */
public record RepoConfig(
    Path file,
    String project,
    RegistryConfig registry,
    OnlineStoreConfig onlineStore,
    EntityKeyFormat keyFormat,
    BatchEngineConfig batchEngine) {
  private static final Logger LOG = LoggerFactory.getLogger(RepoConfig.class);

  /** Sluice's own settings, in the top-level {@code sluice:} section that Feast ignores. */
  static final String WRITE_RETRY_SECONDS = "write_retry_seconds";

  /**
   * The keys of {@code sluice:}: the engine's own, and one sub-section per online store for that
   * store's settings ({@code sluice.dynamodb}), read by the store.
   */
  static final Set<String> SLUICE_KEYS = sluiceKeys();

  private static Set<String> sluiceKeys() {
    Set<String> keys = new java.util.TreeSet<>(OnlineStores.settingsKeys());
    keys.add(WRITE_RETRY_SECONDS);
    keys.add(StagingConfig.KEEP);
    keys.add(StagingConfig.RETENTION_HOURS);
    return Set.copyOf(keys);
  }

  /** Feast's {@code materialization.online_write_batch_size}: rows per online store batch. */
  static final String ONLINE_WRITE_BATCH_SIZE = "online_write_batch_size";

  static final String PULL_LATEST_FEATURES = "pull_latest_features";

  /** An engine type of Sluice before 0.2: Feast cannot load a file that names it. */
  static final String LEGACY_TYPE = "sluice";

  static final String LEGACY_WRITE_BATCH_SIZE = "write_batch_size";

  static final String SPARK_ENGINE = "spark.engine";

  /** Keys of Feast's {@code spark.engine}, honoured by name whatever the engine type. */
  private static final List<String> SPARK_ENGINE_KEYS =
      List.of(
          BatchEngineConfig.PARTITIONS,
          BatchEngineConfig.SPARK_CONF,
          BatchEngineConfig.STAGING_LOCATION,
          BatchEngineConfig.REGION);

  public RepoConfig {
    requireNonNull(file, "file is null");
    requireNonNull(project, "project is null");
    requireNonNull(registry, "registry is null");
    requireNonNull(onlineStore, "onlineStore is null");
    requireNonNull(keyFormat, "keyFormat is null");
    requireNonNull(batchEngine, "batchEngine is null");
  }

  /**
   * Loads and validates {@code feature_store.yaml}; a relative {@code sqlite:///} registry URL
   * resolves against the working directory, as in Feast.
   */
  public static RepoConfig load(Path file) {
    return load(file, Path.of("").toAbsolutePath());
  }

  /**
   * As {@link #load(Path)}, resolving a relative {@code sqlite:///} registry URL against {@code
   * registryBase}: what Feast does when run in that folder (the demo runs as if in its own).
   */
  public static RepoConfig load(Path file, Path registryBase) {
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
        registry(config, registryBase.toAbsolutePath().normalize()),
        OnlineStores.parse(
            config.section(FeatureStoreConfigFile.ONLINE_STORE),
            config.section(FeatureStoreConfigFile.SLUICE),
            config.directory()),
        keyFormat,
        batchEngine(config));
  }

  /**
   * Feast hands the registry URL to SQLAlchemy, which resolves a relative {@code sqlite:///} path
   * against the working directory, not the file's folder (unlike {@code online_store.path}): so
   * does Sluice. When that file does not exist but one does at the same path next to {@code
   * feature_store.yaml}, the command was started outside the repo folder, where Feast would create
   * a second, empty registry: Sluice uses the one next to the file instead, and says so.
   */
  private static RegistryConfig registry(FeatureStoreConfigFile config, Path base) {
    RegistryConfig registry = RegistryConfig.fromSection(config.registry(), base);
    String prefix = "jdbc:sqlite:";
    if (registry.dialect() != RegistryDialect.SQLITE || !registry.jdbcUrl().startsWith(prefix)) {
      return registry;
    }
    boolean relative =
        !config
            .registry()
            .withSecrets(RegistryConfig.PATH)
            .text(RegistryConfig.PATH, "")
            .trim()
            .startsWith("sqlite:////");
    Path resolved = Path.of(registry.jdbcUrl().substring(prefix.length()));
    if (!relative || Files.exists(resolved)) {
      return registry;
    }
    Path besideFile = config.directory().resolve(base.relativize(resolved)).normalize();
    if (besideFile.equals(resolved) || !Files.exists(besideFile)) {
      return registry;
    }
    // INFO, not WARN: Sluice finds the right registry; the line says why Feast, run from here,
    // would not.
    LOG.info(
        "{}: the relative registry URL resolves against the working directory, as in Feast, to {},"
            + " which does not exist; using the registry next to the file, {}. Feast run from"
            + " here would not find it: run from {} (as the feast command is run), or write the"
            + " URL absolute: sqlite:///{}",
        config.registry().describe(),
        resolved,
        besideFile,
        config.directory(),
        besideFile);
    return RegistryConfig.fromSection(config.registry(), config.directory());
  }

  /**
   * The batch engine settings, from Feast's {@code batch_engine} (any Feast type: {@code
   * partitions}, {@code spark_conf}, {@code staging_location} and {@code region} keep their {@code
   * spark.engine} meaning), {@code materialization.online_write_batch_size}, the Spark settings of
   * a {@code spark} offline store (under {@code batch_engine.spark_conf}), and Sluice's own {@code
   * sluice:} section.
   */
  static BatchEngineConfig batchEngine(FeatureStoreConfigFile config) {
    ConfigSection engine = config.section(FeatureStoreConfigFile.BATCH_ENGINE);
    Optional<String> shorthand = engine.shorthand();
    String type =
        shorthand.orElseGet(
            () -> engine.text(BatchEngineConfig.TYPE, BatchEngineConfig.DEFAULT_TYPE));
    if (engine.isPresent()
        && shorthand.isEmpty()
        && engine.value(BatchEngineConfig.TYPE).isEmpty()) {
      // Feast needs the type (it fails on a mapping without one); Sluice reads the keys as
      // spark.engine's, which is what a Sluice user writes.
      LOG.warn(
          "{}: `type:` is missing, which Feast refuses; reading the section as `type: {}`. Add"
              + " that line so Feast can load the file too",
          engine.describe(),
          SPARK_ENGINE);
      type = SPARK_ENGINE;
    }
    ConfigSection keys =
        shorthand.isPresent() ? ConfigSection.of(config.file(), engine.name(), null) : engine;
    ConfigSection materialization =
        FeastKeys.of(config.section(FeatureStoreConfigFile.MATERIALIZATION), null)
            .honoured(ONLINE_WRITE_BATCH_SIZE)
            .ignored("Sluice always writes only the latest value per entity", PULL_LATEST_FEATURES)
            .check();
    ConfigSection sluice =
        config.section(FeatureStoreConfigFile.SLUICE).requireKnownKeys(SLUICE_KEYS);
    int batchSize =
        materialization.integer(
            ONLINE_WRITE_BATCH_SIZE,
            BatchEngineConfig.DEFAULT_WRITE_BATCH_SIZE,
            1,
            Integer.MAX_VALUE);
    long retrySeconds =
        sluice.longInteger(
            WRITE_RETRY_SECONDS,
            BatchEngineConfig.DEFAULT_WRITE_RETRY_BUDGET.toSeconds(),
            0,
            Integer.MAX_VALUE);
    if (type.equals(LEGACY_TYPE)) {
      keys.requireKnownKeys(
          List.of(
              BatchEngineConfig.TYPE,
              BatchEngineConfig.PARTITIONS,
              BatchEngineConfig.SPARK_CONF,
              BatchEngineConfig.STAGING_LOCATION,
              BatchEngineConfig.REGION,
              LEGACY_WRITE_BATCH_SIZE,
              WRITE_RETRY_SECONDS));
      LOG.warn(
          "{}: `type: sluice` is not a Feast engine type, so Feast cannot load this file; use"
              + " `type: spark.engine` (same keys), move write_batch_size to"
              + " materialization.online_write_batch_size and write_retry_seconds to"
              + " sluice.write_retry_seconds",
          keys.describe());
      batchSize =
          legacy(
              keys, LEGACY_WRITE_BATCH_SIZE, materialization, ONLINE_WRITE_BATCH_SIZE, batchSize);
      retrySeconds = legacy(keys, WRITE_RETRY_SECONDS, sluice, WRITE_RETRY_SECONDS, retrySeconds);
    } else if (FeastKeys.keys(engine.name(), type).isPresent()) {
      Set<String> feastKeys = FeastKeys.keys(engine.name(), type).orElseThrow();
      FeastKeys checked = FeastKeys.of(keys, type).honoured(BatchEngineConfig.TYPE);
      for (String key : SPARK_ENGINE_KEYS) {
        if (feastKeys.contains(key)) {
          checked.honoured(key);
        }
      }
      checked.ignoreTheRest(
          "settings of Feast's " + type + " engine; Sluice runs its own Spark job");
      try {
        checked.check();
      } catch (InvalidConfigException e) {
        throw movedKey(keys, e);
      }
    } else if (!type.endsWith("Engine")) {
      throw keys.invalid(
          BatchEngineConfig.TYPE,
          "'"
              + type
              + "' is neither a Feast engine type ("
              + String.join(", ", FeastKeys.types(engine.name()))
              + ") nor a class path ending in Engine, so Feast cannot load this file; Sluice is"
              + " started by its own command whatever the type: use spark.engine");
    } else {
      LOG.info(
          "{}: keys of the custom engine {} are not checked; Sluice reads only {}",
          keys.describe(),
          type,
          SPARK_ENGINE_KEYS);
    }
    Map<String, String> sparkConf = new LinkedHashMap<>(offlineSparkConf(config));
    sparkConf.putAll(keys.stringMap(BatchEngineConfig.SPARK_CONF));
    return new BatchEngineConfig(
        type,
        keys.integer(
            BatchEngineConfig.PARTITIONS,
            BatchEngineConfig.DEFAULT_PARTITIONS,
            0,
            Integer.MAX_VALUE),
        batchSize,
        Duration.ofSeconds(retrySeconds),
        new StagingConfig(
            keys.optionalText(BatchEngineConfig.STAGING_LOCATION).orElse(null),
            sluice.bool(StagingConfig.KEEP, false),
            Duration.ofHours(
                sluice.longInteger(
                    StagingConfig.RETENTION_HOURS,
                    StagingConfig.DEFAULT_RETENTION.toHours(),
                    1,
                    24L * 365 * 100))),
        keys.optionalText(BatchEngineConfig.REGION).orElse(null),
        sparkConf);
  }

  /** A Sluice key written where Feast forbids it gets its new place in the message. */
  private static InvalidConfigException movedKey(ConfigSection engine, InvalidConfigException e) {
    for (String key : engine.keys()) {
      String place =
          switch (key) {
            case LEGACY_WRITE_BATCH_SIZE -> "materialization.online_write_batch_size";
            case WRITE_RETRY_SECONDS -> "sluice.write_retry_seconds";
            default -> null;
          };
      if (place != null) {
        return engine.invalid(
            key,
            "Feast forbids extra keys in batch_engine, so Feast could not load this file; move it"
                + " to "
                + place);
      }
    }
    return e;
  }

  private static long legacy(
      ConfigSection engine, String key, ConfigSection newSection, String newKey, long value) {
    if (engine.value(key).isEmpty()) {
      return value;
    }
    if (newSection.value(newKey).isPresent()) {
      throw engine.invalid(
          key, "is also set as " + newSection.name() + "." + newKey + "; keep one");
    }
    return engine.longInteger(
        key, value, key.equals(WRITE_RETRY_SECONDS) ? 0 : 1, Integer.MAX_VALUE);
  }

  private static int legacy(
      ConfigSection engine, String key, ConfigSection newSection, String newKey, int value) {
    return (int) legacy(engine, key, newSection, newKey, (long) value);
  }

  /**
   * The {@code spark_conf} of Feast's {@code spark} offline store, which configures the session
   * that reads the sources: Sluice applies it too, under {@code batch_engine.spark_conf}. Every
   * other offline store key concerns Feast's own retrieval.
   */
  private static Map<String, String> offlineSparkConf(FeatureStoreConfigFile config) {
    ConfigSection offline = config.section(FeatureStoreConfigFile.OFFLINE_STORE);
    if (!offline.isPresent()) {
      return Map.of();
    }
    Optional<String> shorthand = offline.shorthand();
    String type = shorthand.orElseGet(() -> offline.text("type", "dask"));
    ConfigSection keys =
        shorthand.isPresent() ? ConfigSection.of(config.file(), offline.name(), null) : offline;
    String why =
        "Sluice reads sources through Spark; Feast's offline store settings serve Feast's"
            + " own retrieval";
    if (FeastKeys.keys(offline.name(), type).isEmpty()) {
      if (!type.endsWith("OfflineStore")) {
        throw keys.invalid(
            "type",
            "'"
                + type
                + "' is not an offline store type Feast "
                + FeastKeys.FEAST_VERSION
                + " knows ("
                + String.join(", ", FeastKeys.types(offline.name()))
                + ") nor a class path ending in OfflineStore");
      }
      LOG.info(
          "{}: keys of the custom offline store {} are not checked ({})",
          keys.describe(),
          type,
          why);
      return Map.of();
    }
    FeastKeys checked = FeastKeys.of(keys, type);
    if (type.equals("spark")) {
      checked.honoured(BatchEngineConfig.SPARK_CONF);
    }
    checked.ignoreTheRest(why).check();
    return type.equals("spark") ? keys.stringMap(BatchEngineConfig.SPARK_CONF) : Map.of();
  }
}
