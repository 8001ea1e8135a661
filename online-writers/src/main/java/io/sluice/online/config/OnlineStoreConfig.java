package io.sluice.online.config;

import java.io.Serializable;

/**
 * A parsed {@code online_store} section of {@code feature_store.yaml}: one record per store type.
 * Parsed once on the driver by {@link OnlineStoreConfigParser}, then shipped to executors.
 */
public sealed interface OnlineStoreConfig extends Serializable
    permits SqliteOnlineStoreConfig, RedisOnlineStoreConfig {

  /** Feast's name of the store type, as written after {@code type:}. */
  String type();

  /** Where the store is, for messages and logs; never includes a secret. */
  String location();
}
