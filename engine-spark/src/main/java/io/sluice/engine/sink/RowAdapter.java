package io.sluice.engine.sink;

import io.sluice.engine.layout.ReducedLayout;
import io.sluice.online.FeatureRow;
import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * The one place Spark rows become the writers' plain {@link FeatureRow}s. Rows are in a {@link
 * ReducedLayout}. Spark's external types are mapped to plain Java: timestamps to {@link Instant},
 * arrays to {@link List}; everything else ({@code String}, {@code byte[]}, boxed numbers, {@code
 * Boolean}) passes as is.
 */
final class RowAdapter implements Serializable {
  private final int joinKeys;
  private final int features;
  private final int eventTimestamp;
  private final int createdTimestamp;
  private final int[] featureIndexes;
  private final boolean[] lists;

  RowAdapter(ReducedLayout layout) {
    this.joinKeys = layout.joinKeys().size();
    this.features = layout.features().size();
    this.eventTimestamp = layout.eventTimestampIndex();
    this.createdTimestamp = layout.createdTimestampIndex();
    this.featureIndexes = new int[features];
    this.lists = new boolean[features];
    for (int i = 0; i < features; i++) {
      featureIndexes[i] = layout.featureIndex(i);
      lists[i] = layout.isList(i);
    }
  }

  FeatureRow toFeatureRow(Row row) {
    List<Object> keys = new ArrayList<>(joinKeys);
    for (int i = 0; i < joinKeys; i++) {
      keys.add(plain(row.get(i)));
    }
    Instant event = (Instant) plain(row.get(eventTimestamp));
    Instant created = (Instant) plain(row.get(createdTimestamp));
    List<Object> values = new ArrayList<>(features);
    for (int i = 0; i < features; i++) {
      int index = featureIndexes[i];
      if (row.isNullAt(index)) {
        values.add(null);
      } else if (lists[i]) {
        List<Object> elements = new ArrayList<>();
        for (Object element : row.getList(index)) {
          elements.add(plain(element));
        }
        values.add(elements);
      } else {
        values.add(plain(row.get(index)));
      }
    }
    return new FeatureRow(keys, event, created, values);
  }

  /** Spark's external time types as {@link Instant}s (UTC), whichever Java API is enabled. */
  private static Object plain(Object value) {
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant();
    }
    if (value instanceof LocalDateTime time) {
      return time.toInstant(ZoneOffset.UTC);
    }
    if (value instanceof LocalDate date) {
      return date.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return value;
  }
}
