package io.sluice.online.read;

import io.sluice.online.FeatureViewSchema;
import io.sluice.online.config.OnlineStoreConfig;
import io.sluice.online.config.RedisOnlineStoreConfig;
import io.sluice.online.config.SqliteOnlineStoreConfig;
import io.sluice.online.encoding.EntityKeyFormat;
import io.sluice.online.redis.RedisOnlineReader;
import io.sluice.online.sqlite.SqliteOnlineReader;

/** Opens the {@link OnlineReader} for a configured online store. */
public final class OnlineReaders {
  private OnlineReaders() {}

  public static OnlineReader open(
      OnlineStoreConfig store, FeatureViewSchema view, EntityKeyFormat keyFormat) {
    if (store instanceof SqliteOnlineStoreConfig sqlite) {
      return new SqliteOnlineReader(sqlite, view, keyFormat);
    }
    if (store instanceof RedisOnlineStoreConfig redis) {
      return new RedisOnlineReader(redis, view, keyFormat);
    }
    throw new IllegalArgumentException("Invalid online store: no reader for " + store.type());
  }
}
