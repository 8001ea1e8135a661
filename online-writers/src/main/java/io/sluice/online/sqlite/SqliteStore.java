package io.sluice.online.sqlite;

import io.sluice.common.config.ConfigSection;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineReader;
import io.sluice.online.OnlineStore;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Feast's embedded SQLite online store ({@code type: sqlite}), Feast's default: one file on the
 * local disk, so its writers must all run on one host.
 */
public final class SqliteStore implements OnlineStore<SqliteOnlineStoreConfig> {
  static final String PATH = "path";
  static final String ENABLE_OPENAI_COMPATIBLE_STORE = "enable_openai_compatible_store";

  /** Feast's default, relative to the folder of {@code feature_store.yaml}. */
  static final String DEFAULT_PATH = "data/online.db";

  private static final Set<String> KEYS = Set.of(TYPE_KEY, PATH, ENABLE_OPENAI_COMPATIBLE_STORE);

  @Override
  public List<String> typeNames() {
    return List.of("sqlite", "feast.infra.online_stores.sqlite.SqliteOnlineStore");
  }

  @Override
  public Class<SqliteOnlineStoreConfig> configClass() {
    return SqliteOnlineStoreConfig.class;
  }

  @Override
  public SqliteOnlineStoreConfig parse(ConfigSection section, Path baseDir) {
    section.requireKnownKeys(KEYS);
    String path = section.text(PATH, DEFAULT_PATH);
    return new SqliteOnlineStoreConfig(
        baseDir.resolve(path).toAbsolutePath().normalize().toString(),
        section.bool(ENABLE_OPENAI_COMPATIBLE_STORE, false));
  }

  @Override
  public OnlineWriter openWriter(
      SqliteOnlineStoreConfig config, FeatureViewSchema view, WriteOptions options) {
    return new SqliteOnlineWriter(config, view, options);
  }

  @Override
  public OnlineReader openReader(
      SqliteOnlineStoreConfig config, FeatureViewSchema view, EntityKeyFormat keyFormat) {
    return new SqliteOnlineReader(config, view, keyFormat);
  }

  @Override
  public String location(SqliteOnlineStoreConfig config) {
    return config.path();
  }

  @Override
  public boolean needsLocalMode() {
    return true;
  }
}
