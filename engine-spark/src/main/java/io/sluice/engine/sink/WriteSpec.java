package io.sluice.engine.sink;

import static java.util.Objects.requireNonNull;

import io.sluice.engine.layout.ReducedLayout;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineStoreConfig;
import io.sluice.online.WriteOptions;
import java.io.Serializable;

/**
 * Everything a partition's writer needs, fixed on the driver and shipped to executors: the store,
 * the view, how to write and the batch size. Holds configuration values only, never a session or a
 * connection.
 *
 * @param batchSize rows per store batch (one Redis pipeline, one SQLite transaction)
 */
public record WriteSpec(
    OnlineStoreConfig store, FeatureViewSchema view, WriteOptions options, int batchSize)
    implements Serializable {
  public WriteSpec {
    requireNonNull(store, "store is null");
    requireNonNull(view, "view is null");
    requireNonNull(options, "options is null");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1: " + batchSize);
    }
  }

  /** The layout of the rows the sink receives: the view's join keys and features, reduced. */
  public ReducedLayout layout() {
    return new ReducedLayout(view.joinKeys(), view.features());
  }
}
