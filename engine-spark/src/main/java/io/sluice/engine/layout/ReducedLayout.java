package io.sluice.engine.layout;

import static java.util.Objects.requireNonNull;

import io.sluice.common.feast.Column;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns of a reduced row (one latest row per entity), in their one order: the join keys, the
 * event timestamp, the created timestamp, then the features. Derived from the feature view; the
 * reduction writes rows in this layout and the partition sink reads them by it (and so must
 * anything that stores reduced rows). Serializable: executors read rows by it.
 */
public record ReducedLayout(List<Column> joinKeys, List<Column> features) implements Serializable {
  /** The event timestamp's column in a reduced row. */
  public static final String EVENT_TIMESTAMP = "__sluice_event_ts";

  /** The created timestamp's column in a reduced row; null when the source has none. */
  public static final String CREATED_TIMESTAMP = "__sluice_created_ts";

  public ReducedLayout {
    joinKeys = List.copyOf(requireNonNull(joinKeys, "joinKeys is null"));
    features = List.copyOf(requireNonNull(features, "features is null"));
  }

  public int eventTimestampIndex() {
    return joinKeys.size();
  }

  public int createdTimestampIndex() {
    return joinKeys.size() + 1;
  }

  /** The position of feature {@code feature} (its index in {@link #features()}) in a row. */
  public int featureIndex(int feature) {
    return joinKeys.size() + 2 + feature;
  }

  /** Whether feature {@code feature} is a list type, held as a Spark array. */
  public boolean isList(int feature) {
    return SparkTypes.isList(features.get(feature).type());
  }

  /**
   * The value columns after the join keys, in row order: event timestamp, created timestamp, then
   * the features. This is also the order in which the latest row per entity is chosen.
   */
  public List<String> valueColumnNames() {
    List<String> names = columnNames();
    return names.subList(joinKeys.size(), names.size());
  }

  /** Every column name, in row order. */
  public List<String> columnNames() {
    List<String> names = new ArrayList<>(joinKeys.size() + 2 + features.size());
    joinKeys.forEach(key -> names.add(key.name()));
    names.add(EVENT_TIMESTAMP);
    names.add(CREATED_TIMESTAMP);
    features.forEach(feature -> names.add(feature.name()));
    return names;
  }
}
