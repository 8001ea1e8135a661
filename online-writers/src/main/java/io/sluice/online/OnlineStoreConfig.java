package io.sluice.online;

import java.io.Serializable;

/**
 * A parsed {@code online_store} section of {@code feature_store.yaml}: each store's own immutable
 * record, made by its {@link OnlineStore#parse}. Parsed once on the driver, then shipped to
 * executors, so it holds only values; its {@code toString()} never shows a secret.
 */
public interface OnlineStoreConfig extends Serializable {}
