package io.sluice.engine.sink;

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
 * The one place Spark rows become the writers' plain {@link FeatureRow}s. Rows come from {@link
 * io.sluice.engine.reduce.LatestPerEntity}: join keys, event timestamp, created timestamp, then
 * features. Spark's external types are mapped to plain Java: timestamps to {@link Instant}, arrays
 * to {@link List}; everything else ({@code String}, {@code byte[]}, boxed numbers, {@code Boolean})
 * passes as is.
 */
final class RowAdapter implements Serializable {
  private final int joinKeys;
  private final int features;
  private final boolean[] arrays;

  /**
   * @param arrays for each feature, whether its column is an array
   */
  RowAdapter(int joinKeys, boolean[] arrays) {
    this.joinKeys = joinKeys;
    this.features = arrays.length;
    this.arrays = arrays.clone();
  }

  FeatureRow toFeatureRow(Row row) {
    List<Object> keys = new ArrayList<>(joinKeys);
    for (int i = 0; i < joinKeys; i++) {
      keys.add(plain(row.get(i)));
    }
    Instant event = (Instant) plain(row.get(joinKeys));
    Instant created = (Instant) plain(row.get(joinKeys + 1));
    List<Object> values = new ArrayList<>(features);
    for (int i = 0; i < features; i++) {
      int index = joinKeys + 2 + i;
      if (row.isNullAt(index)) {
        values.add(null);
      } else if (arrays[i]) {
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
