package io.sluice.online;

import java.util.List;

/**
 * Writes one feature view's rows to an online store, batch by batch, over one connection.
 *
 * <p>Lifecycle: a writer is opened by {@link OnlineStore#openWriter} (once per Spark partition),
 * then {@link #write} is called any number of times, then {@link #close}. When {@code write}
 * returns, every row of the batch is acknowledged by the store: written, or skipped because the
 * store holds an equal or newer event timestamp for that entity and view ({@link
 * WriteMode#NEWER_ONLY}). The newer-only check is made per entity, atomically with the write, on
 * the server; a store that can only check item by item fits this contract as well as a batched one.
 *
 * <p>Transient store errors are retried inside {@code write} within the store's retry budget,
 * re-sending only the rows not yet acknowledged. Re-sending is safe: when a connection is lost
 * mid-batch, a row that reached the store before is counted as skipped on the next attempt (its
 * timestamp is no longer newer), never written twice with different values.
 *
 * <p>Failures: {@link InvalidFeatureValueException} when a row cannot be encoded (before anything
 * of that batch is sent); {@link OnlineStoreUnavailableException} when the store cannot be reached
 * or keeps failing past the retry budget; {@link InvalidOnlineStoreConfigException} when the store
 * rejects the configuration (such as a wrong password). Each carries {@link #stats()} at the time
 * of failure: earlier batches stay written.
 *
 * <p>Not thread-safe: one writer per thread.
 */
public interface OnlineWriter extends AutoCloseable {

  /** Writes one batch and returns its counts. */
  WriteStats write(List<FeatureRow> batch);

  /** Totals of every batch acknowledged so far. */
  WriteStats stats();

  /** Releases the connection. Never throws: a failure to close is logged. */
  @Override
  void close();
}
