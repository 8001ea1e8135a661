package io.sluice.online;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One entity's latest values for one feature view, in plain Java objects: join key values in the
 * order of {@link FeatureViewSchema#joinKeys()}, feature values in the order of {@link
 * FeatureViewSchema#features()}.
 *
 * <p>Values are {@code String}, {@code byte[]}, {@code Integer}, {@code Long}, {@code Float},
 * {@code Double}, {@code Boolean}, {@code Instant}, or a {@code List} of those for list types; a
 * feature value may be null (Feast's empty value). The declared type in the schema decides the
 * encoding.
 */
public record FeatureRow(
    List<Object> joinKeyValues,
    Instant eventTimestamp,
    Instant createdTimestamp,
    List<Object> featureValues) {

  public FeatureRow {
    // Copies that allow nulls: a null feature value is meaningful; a null join key is rejected by
    // the writer with the column's name.
    joinKeyValues = nullableCopy(requireNonNull(joinKeyValues, "joinKeyValues is null"));
    featureValues = nullableCopy(requireNonNull(featureValues, "featureValues is null"));
    requireNonNull(eventTimestamp, "eventTimestamp is null");
  }

  /** A row without a created timestamp. */
  public static FeatureRow of(
      List<?> joinKeyValues, Instant eventTimestamp, List<?> featureValues) {
    return new FeatureRow(
        nullableCopy(joinKeyValues), eventTimestamp, null, nullableCopy(featureValues));
  }

  private static List<Object> nullableCopy(List<?> values) {
    return Collections.unmodifiableList(Arrays.asList(values.toArray()));
  }
}
