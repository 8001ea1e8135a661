package io.sluice.benchmark.performance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * A generated Parquet input: {@code rows} rows over {@code entities} drivers ({@code driver_id =
 * row % entities}), event times spread over 2024-05-01 (UTC) to the microsecond, {@code features}
 * FLOAT features in [0, 1). Every value is a hash of the row number and a fixed seed, so the same
 * spec always gives the same rows. Timestamps are written as {@code TIMESTAMP_MICROS} (what pandas
 * and pyarrow write), not Spark's INT96 default; one file per million rows.
 *
 * <p>Cached in {@code <cache>/<spec>}: made once, reused by later harness runs.
 */
record DataSet(long rows, long entities, int features, Path dir) {
  static final long SEED = 20240501L;
  private static final long START_MICROS = 1_714_521_600_000_000L; // 2024-05-01T00:00:00Z
  private static final long DAY_MICROS = 86_400_000_000L;
  private static final long ROWS_PER_FILE = 1_000_000L;

  /** The folder name: every input of the generation, and a version of the generator. */
  static String spec(long rows, long entities, int features) {
    return String.format(
        Locale.ROOT, "rows%d-entities%d-features%d-seed%d-v1", rows, entities, features, SEED);
  }

  /** The data set in {@code cache}, generated first when missing. */
  static DataSet ensure(Path cache, long rows, long entities, int features, Spark spark) {
    Path dir = cache.resolve(spec(rows, entities, features));
    DataSet data = new DataSet(rows, entities, features, dir);
    if (Files.exists(dir.resolve("_SUCCESS"))) {
      return data;
    }
    System.out.printf(
        Locale.ROOT,
        "Generating %,d rows, %,d entities, %d features in %s%n",
        rows,
        entities,
        features,
        dir);
    Path partial = cache.resolve(dir.getFileName() + ".partial");
    try {
      Files.createDirectories(cache);
      io.sluice.testing.TempDirs.delete(partial);
      generate(spark.session(), rows, entities, features, partial);
      io.sluice.testing.TempDirs.delete(dir);
      Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot generate " + dir, e);
    }
    return data;
  }

  private static void generate(
      SparkSession spark, long rows, long entities, int features, Path out) {
    Column id = col("id");
    List<Column> columns = new ArrayList<>();
    columns.add(pmod(id, lit(entities)).as("driver_id"));
    columns.add(
        expr("timestamp_micros("
                + START_MICROS
                + "L + pmod(xxhash64(id, "
                + SEED
                + "L), "
                + DAY_MICROS
                + "L))")
            .as("ts"));
    for (int f = 0; f < features; f++) {
      columns.add(
          pmod(xxhash64(id, lit(f), lit(SEED)), lit(1_000_000L))
              .divide(1e6)
              .cast(DataTypes.FloatType)
              .as("f" + f));
    }
    int files = (int) Math.max(1, (rows + ROWS_PER_FILE - 1) / ROWS_PER_FILE);
    spark
        .range(0, rows, 1, files)
        .select(columns.toArray(Column[]::new))
        .write()
        .parquet(out.toString());
  }

  /** One local Spark session for all generation, made only when something is missing. */
  static final class Spark implements AutoCloseable {
    private SparkSession session;

    synchronized SparkSession session() {
      if (session == null) {
        session =
            SparkSession.builder()
                .master("local[*]")
                .appName("sluice-benchmark-data")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
                .getOrCreate();
      }
      return session;
    }

    @Override
    public synchronized void close() {
      if (session != null) {
        session.stop();
        session = null;
      }
    }
  }
}
