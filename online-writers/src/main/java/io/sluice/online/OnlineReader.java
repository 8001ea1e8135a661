package io.sluice.online;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads back what is stored online for one feature view, one entity at a time, decoding Feast's
 * layout: for checking a run (the demo, an operator's spot check), not a serving path.
 */
public interface OnlineReader extends AutoCloseable {

  /** One entity's stored values: its event time and feature name → plain Java value. */
  record StoredValues(Instant eventTimestamp, Map<String, Object> values) {}

  /**
   * The values stored for the entity with these join key values (in the view's join key order), or
   * empty if nothing is stored for this view.
   */
  Optional<StoredValues> read(List<Object> joinKeyValues);

  @Override
  void close();
}
