package io.sluice.engine.reduce;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.sluice.common.feast.Column;
import io.sluice.engine.source.ViewColumns;
import io.sluice.registry.TimeInterval;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;

/**
 * Keeps, for every entity key (all join keys together), the source row with the greatest event
 * timestamp inside the window {@code [start, end)}; ties go to the greatest created timestamp, a
 * null created timestamp losing; a remaining tie goes to the greatest feature values, so the same
 * input always gives the same output.
 *
 * <p>It is one {@code max(struct(event_ts, created_ts, features…))} per key: an aggregation Spark
 * combines map-side before the shuffle, where a window with {@code row_number} would shuffle and
 * sort every row. Rows with a null join key or a null event timestamp are dropped and counted, by
 * reason, through an {@link Observation} filled when the write action runs.
 *
 * <p>Output columns, in order: the join keys, {@link #EVENT_TIMESTAMP}, {@link #CREATED_TIMESTAMP},
 * then the features; timestamps and decimals are normalised to timestamp and double. Driver side
 * only: this builds a plan, it reads nothing.
 */
public final class LatestPerEntity {
  public static final String EVENT_TIMESTAMP = "__sluice_event_ts";
  public static final String CREATED_TIMESTAMP = "__sluice_created_ts";
  public static final String ROWS_READ = "rows_read";
  public static final String NULL_JOIN_KEY = "null_join_key";
  public static final String NULL_EVENT_TIMESTAMP = "null_event_timestamp";

  private LatestPerEntity() {}

  /** The reduced rows, and the counts observed on the way. */
  public record Reduction(Dataset<Row> latest, Observation counts) {}

  public static Reduction reduce(Dataset<Row> source, ViewColumns view, TimeInterval window) {
    List<org.apache.spark.sql.Column> selected = new ArrayList<>();
    for (Column key : view.joinKeys()) {
      selected.add(column(key.name()));
    }
    selected.add(normalised(source, view.eventTimestamp()).as(EVENT_TIMESTAMP));
    selected.add(
        (view.createdTimestamp() == null
                ? lit(null).cast(DataTypes.TimestampType)
                : normalised(source, view.createdTimestamp()))
            .as(CREATED_TIMESTAMP));
    for (Column feature : view.features()) {
      selected.add(normalisedFeature(source, feature).as(feature.name()));
    }

    org.apache.spark.sql.Column eventTime = functions.col(EVENT_TIMESTAMP);
    org.apache.spark.sql.Column inWindow =
        eventTime.geq(lit(window.start())).and(eventTime.lt(lit(window.end())));
    Dataset<Row> windowed =
        source
            .select(selected.toArray(org.apache.spark.sql.Column[]::new))
            .where(eventTime.isNull().or(inWindow));

    org.apache.spark.sql.Column nullKey = lit(false);
    for (Column key : view.joinKeys()) {
      nullKey = nullKey.or(column(key.name()).isNull());
    }
    Observation counts = new Observation("sluice-" + UUID.randomUUID());
    Dataset<Row> observed =
        windowed.observe(
            counts,
            count(lit(1)).as(ROWS_READ),
            sum(when(nullKey, 1).otherwise(0)).as(NULL_JOIN_KEY),
            sum(when(functions.not(nullKey).and(eventTime.isNull()), 1).otherwise(0))
                .as(NULL_EVENT_TIMESTAMP));
    Dataset<Row> valid = observed.where(functions.not(nullKey).and(eventTime.isNotNull()));

    List<org.apache.spark.sql.Column> ordered = new ArrayList<>();
    ordered.add(functions.col(EVENT_TIMESTAMP));
    ordered.add(functions.col(CREATED_TIMESTAMP));
    for (Column feature : view.features()) {
      ordered.add(column(feature.name()));
    }
    org.apache.spark.sql.Column latest =
        max(struct(ordered.toArray(org.apache.spark.sql.Column[]::new))).as("latest");

    List<org.apache.spark.sql.Column> output = new ArrayList<>();
    Dataset<Row> grouped;
    if (view.joinKeys().isEmpty()) {
      grouped = valid.agg(latest).where(functions.col("latest").isNotNull());
    } else {
      org.apache.spark.sql.Column[] keys =
          view.joinKeys().stream()
              .map(key -> column(key.name()))
              .toArray(org.apache.spark.sql.Column[]::new);
      grouped = valid.groupBy(keys).agg(latest);
      for (Column key : view.joinKeys()) {
        output.add(column(key.name()));
      }
    }
    output.add(functions.col("latest." + EVENT_TIMESTAMP).as(EVENT_TIMESTAMP));
    output.add(functions.col("latest." + CREATED_TIMESTAMP).as(CREATED_TIMESTAMP));
    for (Column feature : view.features()) {
      output.add(functions.col("latest").getField(feature.name()).as(feature.name()));
    }
    return new Reduction(
        grouped.select(output.toArray(org.apache.spark.sql.Column[]::new)), counts);
  }

  /** A column by its exact name, even when the name holds dots or spaces. */
  public static org.apache.spark.sql.Column column(String name) {
    return functions.col("`" + name.replace("`", "``") + "`");
  }

  /**
   * Timestamps without a zone and dates become timestamps (read as UTC: the session time zone is
   * UTC), decimals become doubles; other types pass through.
   */
  private static org.apache.spark.sql.Column normalised(Dataset<Row> source, String name) {
    DataType type = typeOf(source, name);
    org.apache.spark.sql.Column column = column(name);
    if (type.equals(DataTypes.TimestampNTZType) || type.equals(DataTypes.DateType)) {
      return column.cast(DataTypes.TimestampType);
    }
    if (type instanceof DecimalType) {
      return column.cast(DataTypes.DoubleType);
    }
    return column;
  }

  /**
   * A feature column as the writers take it: as {@link #normalised}, and numbers declared FLOAT or
   * DOUBLE (or their lists) become doubles here, in Spark, so a value that is no double (a decimal,
   * a long beyond 2^53) cannot fail on an executor after other partitions were written; the cast
   * rounds as Feast's own conversion does.
   */
  private static org.apache.spark.sql.Column normalisedFeature(
      Dataset<Row> source, Column feature) {
    DataType type = typeOf(source, feature.name());
    org.apache.spark.sql.Column column = column(feature.name());
    switch (feature.type()) {
      case FLOAT, DOUBLE -> {
        return type.equals(DataTypes.FloatType) ? column : column.cast(DataTypes.DoubleType);
      }
      case FLOAT_LIST, DOUBLE_LIST -> {
        boolean floats =
            type instanceof ArrayType array && array.elementType().equals(DataTypes.FloatType);
        return floats ? column : column.cast(DataTypes.createArrayType(DataTypes.DoubleType));
      }
      case UNIX_TIMESTAMP_LIST -> {
        boolean longs =
            type instanceof ArrayType array && array.elementType().equals(DataTypes.LongType);
        return longs ? column : column.cast(DataTypes.createArrayType(DataTypes.TimestampType));
      }
      default -> {
        return normalised(source, feature.name());
      }
    }
  }

  private static DataType typeOf(Dataset<Row> source, String name) {
    for (StructField field : source.schema().fields()) {
      if (field.name().equals(name)) {
        return field.dataType();
      }
    }
    throw new IllegalArgumentException("No column " + name + " (checked by SchemaCheck first)");
  }
}
