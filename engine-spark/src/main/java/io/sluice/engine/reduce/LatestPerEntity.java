package io.sluice.engine.reduce;

import static io.sluice.engine.layout.ReducedLayout.EVENT_TIMESTAMP;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.sluice.common.feast.Column;
import io.sluice.engine.layout.ReducedLayout;
import io.sluice.engine.layout.SparkTypes;
import io.sluice.engine.source.ViewColumns;
import io.sluice.registry.TimeInterval;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
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
 * <p>Output rows are in the view's {@link ReducedLayout}, with the column types {@link SparkTypes}
 * gives. Driver side only: this builds a plan, it reads nothing.
 */
public final class LatestPerEntity {
  public static final String ROWS_READ = "rows_read";
  public static final String NULL_JOIN_KEY = "null_join_key";
  public static final String NULL_EVENT_TIMESTAMP = "null_event_timestamp";

  private LatestPerEntity() {}

  /** The reduced rows (in the view's {@link ReducedLayout}), and the counts observed on the way. */
  public record Reduction(Dataset<Row> latest, Observation counts) {}

  public static Reduction reduce(Dataset<Row> source, ViewColumns view, TimeInterval window) {
    ReducedLayout layout = view.layout();
    List<String> names = layout.columnNames();
    List<org.apache.spark.sql.Column> selected = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      selected.add(sourceColumn(source, view, layout, i).as(names.get(i)));
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

    // The greatest struct wins: event time, then created time, then the features (the layout's
    // order of its value columns).
    org.apache.spark.sql.Column[] ordered =
        layout.valueColumnNames().stream()
            .map(LatestPerEntity::column)
            .toArray(org.apache.spark.sql.Column[]::new);
    org.apache.spark.sql.Column latest = max(struct(ordered)).as("latest");

    Dataset<Row> grouped;
    if (view.joinKeys().isEmpty()) {
      grouped = valid.agg(latest).where(functions.col("latest").isNotNull());
    } else {
      org.apache.spark.sql.Column[] keys =
          view.joinKeys().stream()
              .map(key -> column(key.name()))
              .toArray(org.apache.spark.sql.Column[]::new);
      grouped = valid.groupBy(keys).agg(latest);
    }
    List<org.apache.spark.sql.Column> output = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      output.add(
          i < layout.joinKeys().size()
              ? column(name)
              : functions.col("latest").getField(name).as(name));
    }
    return new Reduction(
        grouped.select(output.toArray(org.apache.spark.sql.Column[]::new)), counts);
  }

  /** A column by its exact name, even when the name holds dots or spaces. */
  public static org.apache.spark.sql.Column column(String name) {
    return functions.col("`" + name.replace("`", "``") + "`");
  }

  /** The source's expression for column {@code index} of the reduced layout. */
  private static org.apache.spark.sql.Column sourceColumn(
      Dataset<Row> source, ViewColumns view, ReducedLayout layout, int index) {
    if (index < layout.joinKeys().size()) {
      return column(layout.joinKeys().get(index).name());
    }
    if (index == layout.eventTimestampIndex()) {
      return timestamp(source, view.eventTimestamp());
    }
    if (index == layout.createdTimestampIndex()) {
      return view.createdTimestamp() == null
          ? lit(null).cast(DataTypes.TimestampType)
          : timestamp(source, view.createdTimestamp());
    }
    return reduced(source, layout.features().get(index - layout.featureIndex(0)));
  }

  /** An event or created timestamp column, as a timestamp (UTC: the session time zone). */
  private static org.apache.spark.sql.Column timestamp(Dataset<Row> source, String name) {
    DataType type = typeOf(source, name);
    return cast(column(name), type, SparkTypes.timestamp(type));
  }

  /** A feature column as the writers take it: in its reduced type (see {@link SparkTypes}). */
  private static org.apache.spark.sql.Column reduced(Dataset<Row> source, Column feature) {
    DataType type = typeOf(source, feature.name());
    return cast(
        column(feature.name()), type, SparkTypes.reducedType(feature.type(), type).orElse(type));
  }

  private static org.apache.spark.sql.Column cast(
      org.apache.spark.sql.Column column, DataType from, DataType to) {
    return from.equals(to) ? column : column.cast(to);
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
