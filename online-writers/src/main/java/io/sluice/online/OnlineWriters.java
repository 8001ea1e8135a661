package io.sluice.online;

import io.sluice.online.config.OnlineStoreConfig;
import io.sluice.online.config.RedisOnlineStoreConfig;
import io.sluice.online.config.SqliteOnlineStoreConfig;
import io.sluice.online.redis.RedisOnlineWriter;
import io.sluice.online.sqlite.SqliteOnlineWriter;

/** Opens the {@link OnlineWriter} for a configured online store. */
public final class OnlineWriters {
  private OnlineWriters() {}

  /**
   * Opens a writer of {@code view} to {@code store}, connected and ready (tables created, scripts
   * loaded). Call once per Spark partition and close it when the partition is done.
   */
  public static OnlineWriter open(
      OnlineStoreConfig store, FeatureViewSchema view, WriteOptions options) {
    if (store instanceof SqliteOnlineStoreConfig sqlite) {
      return new SqliteOnlineWriter(sqlite, view, options);
    }
    if (store instanceof RedisOnlineStoreConfig redis) {
      return new RedisOnlineWriter(redis, view, options);
    }
    throw new IllegalArgumentException("Invalid online store: no writer for " + store.type());
  }
}
