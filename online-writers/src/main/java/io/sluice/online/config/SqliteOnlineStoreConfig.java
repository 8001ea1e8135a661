package io.sluice.online.config;

import static java.util.Objects.requireNonNull;

/**
 * Feast's embedded SQLite online store.
 *
 * @param path absolute path of the database file (Feast's {@code path}, resolved against the folder
 *     of {@code feature_store.yaml})
 */
public record SqliteOnlineStoreConfig(String path) implements OnlineStoreConfig {
  public static final String TYPE = "sqlite";
  public static final String DEFAULT_PATH = "data/online.db";

  public SqliteOnlineStoreConfig {
    requireNonNull(path, "path is null");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public String location() {
    return path;
  }
}
