package io.sluice.online.sqlite;

import static java.util.Objects.requireNonNull;

import io.sluice.online.OnlineStoreConfig;

/**
 * Feast's embedded SQLite online store.
 *
 * @param path absolute path of the database file (Feast's {@code path}, resolved against the folder
 *     of {@code feature_store.yaml})
 */
public record SqliteOnlineStoreConfig(String path) implements OnlineStoreConfig {
  public SqliteOnlineStoreConfig {
    requireNonNull(path, "path is null");
  }
}
