package io.sluice.engine.demo;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.when;

import java.nio.file.Path;
import java.time.Instant;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import scala.Option;

/**
 * The demo's driver statistics, made by Spark from a seed-free formula so every machine gets the
 * same rows: one row per driver per hour with a jittered event time, a created time 30 s later, and
 * three features. One row in 997 has no driver id, to show dropped rows in the report. Timestamps
 * are written as Parquet {@code TIMESTAMP(isAdjustedToUTC=true, MICROS)}: instants, as Feast's
 * readers expect of an event timestamp.
 */
public final class DemoData {
  public static final long FIRST_DRIVER = 1001;

  private static final String OUTPUT_TIMESTAMP_TYPE = "spark.sql.parquet.outputTimestampType";

  private DemoData() {}

  /** Writes {@code drivers × hours} rows from {@code start} as Parquet; returns the row count. */
  public static long write(SparkSession spark, Path target, Instant start, int hours, int drivers) {
    Column id = col("id");
    Column hour = id.divide(drivers).cast(DataTypes.LongType);
    Column eventSeconds =
        lit(start.getEpochSecond()).plus(hour.multiply(3600)).plus(pmod(hash(id), lit(3600)));
    Dataset<Row> rows =
        spark
            .range(0, (long) drivers * hours)
            .select(
                when(pmod(id, lit(997)).equalTo(996), lit(null).cast(DataTypes.LongType))
                    .otherwise(lit(FIRST_DRIVER).plus(pmod(id, lit(drivers))))
                    .as("driver_id"),
                timestamp_seconds(eventSeconds).as("event_timestamp"),
                timestamp_seconds(eventSeconds.plus(30)).as("created"),
                fraction(id, 1).cast(DataTypes.FloatType).as("conv_rate"),
                fraction(id, 2).cast(DataTypes.FloatType).as("acc_rate"),
                pmod(hash(id, lit(3)), lit(1000)).cast(DataTypes.LongType).as("trips_raw"));
    // Spark's default for Parquet timestamps is INT96, which readers take as naive;
    // TIMESTAMP_MICROS
    // stores them as TIMESTAMP(isAdjustedToUTC=true, MICROS), instants that every reader agrees on.
    RuntimeConfig conf = spark.conf();
    Option<String> previous = conf.getOption(OUTPUT_TIMESTAMP_TYPE);
    conf.set(OUTPUT_TIMESTAMP_TYPE, "TIMESTAMP_MICROS");
    try {
      rows.coalesce(2).write().mode(SaveMode.Overwrite).parquet(target.toString());
    } finally {
      if (previous.isDefined()) {
        conf.set(OUTPUT_TIMESTAMP_TYPE, previous.get());
      } else {
        conf.unset(OUTPUT_TIMESTAMP_TYPE);
      }
    }
    return (long) drivers * hours;
  }

  private static Column fraction(Column id, int salt) {
    return pmod(hash(id, lit(salt)), lit(10_000)).divide(10_000.0);
  }
}
