package io.sluice.online.sqlite;

import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.FeastKeys;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineReader;
import io.sluice.online.OnlineStore;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * Feast's embedded SQLite online store ({@code type: sqlite}), Feast's default: one file on the
 * local disk, so its writers must all run on one host.
 */
public final class SqliteStore implements OnlineStore<SqliteOnlineStoreConfig> {
  static final String PATH = "path";
  static final String ENABLE_OPENAI_COMPATIBLE_STORE = "enable_openai_compatible_store";

  /** Feast's default, relative to the folder of {@code feature_store.yaml}. */
  static final String DEFAULT_PATH = "data/online.db";

  /** Feast's vector search column; Sluice does not write it, so refuses {@code true}. */
  static final String VECTOR_ENABLED = "vector_enabled";

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
    FeastKeys.of(section, "sqlite")
        .honoured(TYPE_KEY, PATH, VECTOR_ENABLED, ENABLE_OPENAI_COMPATIBLE_STORE)
        .ignored(
            "only Feast's vector and text search reads use it", "similarity", "text_search_enabled")
        .check();
    if (section.bool(VECTOR_ENABLED, false)) {
      throw section.invalid(
          VECTOR_ENABLED,
          "true is not supported: Feast's vector search reads the vector_value column, which"
              + " Sluice does not write; materialize views with vector features with Feast, or set"
              + " vector_enabled: false");
    }
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
