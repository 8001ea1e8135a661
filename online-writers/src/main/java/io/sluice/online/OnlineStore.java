package io.sluice.online;

import io.sluice.common.config.ConfigSection;
import java.nio.file.Path;
import java.util.List;

/**
 * One kind of Feast online store, as {@code online_store.type} names it: how its section of {@code
 * feature_store.yaml} is parsed, and how writers and readers of it are opened.
 *
 * <p>A store is one package (its {@link OnlineStoreConfig} record, its implementation of this
 * interface, its writer, reader and error classification) plus one line in the list of registered
 * stores, {@code OnlineStores} in the {@code stores} package, where callers find a store by its
 * type name or by a parsed configuration. This package depends on no store.
 *
 * <p>Implementations hold no state and are thread-safe; writers and readers are opened on executors
 * from the configuration the driver parsed.
 *
 * @param <C> the store's configuration record
 */
public interface OnlineStore<C extends OnlineStoreConfig> {
  /** The key of {@code online_store} that names the store; every store accepts it. */
  String TYPE_KEY = "type";

  /**
   * The values of {@code type} that mean this store: Feast's short name first (the one messages
   * show), then the aliases Feast also accepts, such as its class path.
   */
  List<String> typeNames();

  /** The record {@link #parse} returns. */
  Class<C> configClass();

  /**
   * Parses the {@code online_store} section whose {@code type} names this store. The section may be
   * a plain string (Feast's shorthand, {@code online_store: sqlite}) or absent: every key then has
   * its default. A key the store does not know is an error that lists the known ones. Relative
   * paths resolve against {@code baseDir}, the folder of the YAML file.
   *
   * @throws io.sluice.common.config.InvalidConfigException naming the section and the key
   */
  C parse(ConfigSection section, Path baseDir);

  /**
   * As {@link #parse(ConfigSection, Path)}, with Sluice's own settings for this store: the
   * sub-section of the top-level {@code sluice:} section named by the store's Feast name (such as
   * {@code sluice.dynamodb}), since Feast forbids extra keys inside {@code online_store}. {@code
   * sluiceSettings} may be absent. A store without settings of its own refuses any key there.
   *
   * @throws io.sluice.common.config.InvalidConfigException naming the section and the key
   */
  default C parse(ConfigSection section, ConfigSection sluiceSettings, Path baseDir) {
    if (sluiceSettings.isPresent() && !sluiceSettings.keys().isEmpty()) {
      throw sluiceSettings.invalid(
          "the " + typeNames().get(0) + " online store has no Sluice settings of its own");
    }
    return parse(section, baseDir);
  }

  /**
   * Opens a writer of {@code view}, connected and ready (tables created, scripts loaded); the
   * caller closes it. Called once per Spark partition.
   *
   * @throws OnlineStoreException when the store cannot be reached or rejects the configuration
   */
  OnlineWriter openWriter(C config, FeatureViewSchema view, WriteOptions options);

  /** Opens a reader of {@code view}'s stored values; the caller closes it. */
  OnlineReader openReader(C config, FeatureViewSchema view, EntityKeyFormat keyFormat);

  /** Where the store is, for messages and logs; never includes a secret. */
  String location(C config);

  /**
   * Whether every writer must run in the one process that runs the job, on its host: true for a
   * store that is a local file (SQLite), which writers on other hosts would each create on their
   * own disk. An engine must then run its writers in local mode.
   */
  boolean needsLocalMode();
}
