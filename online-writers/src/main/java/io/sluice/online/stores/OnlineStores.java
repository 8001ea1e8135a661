package io.sluice.online.stores;

import static java.util.Objects.requireNonNull;

import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.FeastKeys;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineReader;
import io.sluice.online.OnlineStore;
import io.sluice.online.OnlineStoreConfig;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteOptions;
import io.sluice.online.dynamodb.DynamoDbStore;
import io.sluice.online.redis.RedisStore;
import io.sluice.online.sqlite.SqliteStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The online stores Sluice writes, and the one place that picks among them: it parses the {@code
 * online_store} section into the named store's configuration, and opens writers and readers for a
 * parsed configuration. Adding a store is one entry in {@link #STORES}.
 */
public final class OnlineStores {
  /** Feast's default when {@code online_store} is absent: SQLite at {@code data/online.db}. */
  private static final OnlineStore<?> DEFAULT = new SqliteStore();

  /** Every registered store, in the order messages list them. */
  static final List<OnlineStore<?>> STORES =
      List.of(DEFAULT, new RedisStore(), new DynamoDbStore());

  /** The top-level section of Sluice's own settings, which Feast ignores. */
  private static final String SLUICE_SECTION = "sluice";

  private OnlineStores() {}

  /**
   * Parses the {@code online_store} section into the configuration of the store its {@code type}
   * names (or its shorthand, {@code online_store: sqlite}); a missing section is Feast's default,
   * SQLite at {@code data/online.db}. Relative paths resolve against {@code baseDir}, the folder of
   * the YAML file.
   *
   * @throws io.sluice.common.config.InvalidConfigException for a missing, unknown or unsupported
   *     type, or a key or value the store refuses
   */
  public static OnlineStoreConfig parse(ConfigSection section, Path baseDir) {
    return parse(section, ConfigSection.of(null, SLUICE_SECTION, null), baseDir);
  }

  /**
   * As {@link #parse(ConfigSection, Path)}, with Sluice's own settings: {@code sluice} is the
   * top-level {@code sluice:} section, whose sub-section named by the store's Feast name ({@code
   * sluice.dynamodb}) the store reads; see {@link #settingsKeys()}.
   */
  public static OnlineStoreConfig parse(ConfigSection section, ConfigSection sluice, Path baseDir) {
    requireNonNull(section, "section is null");
    requireNonNull(sluice, "sluice is null");
    requireNonNull(baseDir, "baseDir is null");
    if (!section.isPresent()) {
      return DEFAULT.parse(section, sluice.subsection(DEFAULT.typeNames().get(0)), baseDir);
    }
    // Feast's rule: a section without a type is the SQLite store.
    String type =
        section
            .shorthand()
            .or(() -> section.optionalText(OnlineStore.TYPE_KEY))
            .orElse(DEFAULT.typeNames().get(0));
    OnlineStore<?> store =
        forType(type)
            .orElseThrow(
                () ->
                    section.invalid(
                        OnlineStore.TYPE_KEY,
                        FeastKeys.types(section.name()).contains(type)
                            ? "'"
                                + type
                                + "' is one of Feast's online stores, and not one Sluice writes;"
                                + " use one of: "
                                + typeNames(", ")
                            : "unknown type '" + type + "'; use one of: " + typeNames(", ")));
    return store.parse(section, sluice.subsection(store.typeNames().get(0)), baseDir);
  }

  /**
   * The keys of the top-level {@code sluice:} section that hold a store's own settings: every
   * store's Feast name ({@code sqlite}, {@code redis}, {@code dynamodb}). Only the configured
   * store's sub-section is read.
   */
  public static Set<String> settingsKeys() {
    return STORES.stream().map(store -> store.typeNames().get(0)).collect(Collectors.toSet());
  }

  /**
   * Opens a writer of {@code view} to the store {@code config} belongs to; see {@link
   * OnlineStore#openWriter}.
   */
  public static OnlineWriter openWriter(
      OnlineStoreConfig config, FeatureViewSchema view, WriteOptions options) {
    return forConfig(config).openWriter(config, view, options);
  }

  /** Opens a reader of {@code view} from the store {@code config} belongs to. */
  public static OnlineReader openReader(
      OnlineStoreConfig config, FeatureViewSchema view, EntityKeyFormat keyFormat) {
    return forConfig(config).openReader(config, view, keyFormat);
  }

  /** Where the store is, for messages and logs; never includes a secret. */
  public static String location(OnlineStoreConfig config) {
    return forConfig(config).location(config);
  }

  /** Whether the store's writers must all run in one process; see {@link OnlineStore}. */
  public static boolean needsLocalMode(OnlineStoreConfig config) {
    return forConfig(config).needsLocalMode();
  }

  /** Feast's name of the store {@code config} belongs to: {@code sqlite}, {@code redis}. */
  public static String typeName(OnlineStoreConfig config) {
    return forConfig(config).typeNames().get(0);
  }

  /** Feast's names of the stores that do not need local mode, for messages: {@code redis}. */
  public static List<String> serverTypeNames() {
    return STORES.stream()
        .filter(store -> !store.needsLocalMode())
        .map(store -> store.typeNames().get(0))
        .toList();
  }

  /** The store {@code type} names, by its Feast name or an alias. */
  static Optional<OnlineStore<?>> forType(String type) {
    return STORES.stream().filter(store -> store.typeNames().contains(type)).findFirst();
  }

  /** The store whose configuration {@code config} is. */
  // The cast is safe: the store's configuration class was checked to accept config.
  @SuppressWarnings("unchecked")
  static OnlineStore<OnlineStoreConfig> forConfig(OnlineStoreConfig config) {
    requireNonNull(config, "config is null");
    for (OnlineStore<?> store : STORES) {
      if (store.configClass().isInstance(config)) {
        return (OnlineStore<OnlineStoreConfig>) store;
      }
    }
    throw new IllegalArgumentException(
        "Invalid online store: no registered store for " + config.getClass().getName());
  }

  /** The Feast names of the registered stores, joined: {@code sqlite, redis}. */
  private static String typeNames(String separator) {
    return STORES.stream()
        .map(store -> store.typeNames().get(0))
        .collect(Collectors.joining(separator));
  }
}
