package io.sluice.online;

import java.io.Serializable;

/**
 * A parsed {@code online_store} section of {@code feature_store.yaml}: each store's own immutable
 * record, made by its {@link OnlineStore#parse}. Parsed once on the driver, then shipped to
 * executors, so it holds only values; its {@code toString()} never shows a secret.
 */
public interface OnlineStoreConfig extends Serializable {
  /**
   * Whether the file asks for Feast's unchecked writes (Redis {@code skip_dedup: true}): every run
   * then writes as with {@code --force}.
   */
  default boolean skipsNewerOnlyCheck() {
    return false;
  }
}
