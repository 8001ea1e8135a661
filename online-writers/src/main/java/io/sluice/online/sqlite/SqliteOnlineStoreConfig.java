package io.sluice.online.sqlite;

import static java.util.Objects.requireNonNull;

import io.sluice.online.OnlineStoreConfig;

/**
 * Feast's embedded SQLite online store.
 *
 * @param path absolute path of the database file (Feast's {@code path}, resolved against the folder
 *     of {@code feature_store.yaml})
 * @param enableOpenaiCompatibleStore Feast's {@code enable_openai_compatible_store}: a new table
 *     gets a {@code value_num} column, and a table that has one gets each number's value in it
 */
public record SqliteOnlineStoreConfig(String path, boolean enableOpenaiCompatibleStore)
    implements OnlineStoreConfig {
  public SqliteOnlineStoreConfig {
    requireNonNull(path, "path is null");
  }

  /** Feast's defaults beside {@code path}. */
  public SqliteOnlineStoreConfig(String path) {
    this(path, false);
  }
}
