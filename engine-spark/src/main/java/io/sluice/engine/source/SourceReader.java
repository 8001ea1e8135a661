package io.sluice.engine.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.sluice.engine.InvalidSourceDataException;
import io.sluice.engine.InvalidUsageException;
import io.sluice.registry.DataSourceDefinition;
import io.sluice.registry.SourceKind;
import io.sluice.registry.TimeInterval;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Reads a feature view's batch source as a lazy {@link Dataset}: files at a path (Parquet, CSV,
 * JSON, ORC; local, {@code file:}, {@code hdfs:}, {@code s3a:}), a Spark table or a Spark SQL
 * query. Applies the source's {@code field_mapping} and prunes by its date partition column. The
 * window itself is applied by {@link io.sluice.engine.reduce.LatestPerEntity}. Driver side only.
 */
public final class SourceReader {
  private static final String DEFAULT_DATE_PARTITION_FORMAT = "%Y-%m-%d";

  private SourceReader() {}

  public static Dataset<Row> read(
      SparkSession spark, DataSourceDefinition source, TimeInterval window) {
    Dataset<Row> rows = resolve(spark, source);
    for (Map.Entry<String, String> mapping : source.fieldMapping().entrySet()) {
      if (!hasColumn(rows, mapping.getKey())) {
        throw new InvalidSourceDataException(
            "Cannot apply field_mapping of source "
                + source.name()
                + ": no column "
                + mapping.getKey()
                + " in "
                + describe(source)
                + " (columns: "
                + String.join(", ", rows.columns())
                + ")");
      }
      rows = rows.withColumnRenamed(mapping.getKey(), mapping.getValue());
    }
    if (source.datePartitionColumn() != null) {
      rows = rows.where(partitionFilter(rows, source, window));
    }
    return rows;
  }

  /** Where the rows come from, for messages. */
  public static String describe(DataSourceDefinition source) {
    return switch (source.kind()) {
      case FILE, SPARK_PATH -> source.path();
      case SPARK_TABLE -> "table " + source.table();
      case SPARK_QUERY -> "query " + source.query();
    };
  }

  /**
   * Resolves the source (Spark reads its schema here, not its rows). Spark reports a missing path,
   * table or a bad query as an {@code AnalysisException}, a checked exception in Scala that Java
   * does not see declared; it is classified here: what the definitions name but does not exist or
   * does not parse is a usage error, anything else about the data a data error.
   */
  private static Dataset<Row> resolve(SparkSession spark, DataSourceDefinition source) {
    try {
      return switch (source.kind()) {
        case FILE, SPARK_PATH -> readPath(spark, source);
        case SPARK_TABLE -> spark.table(source.table());
        case SPARK_QUERY -> spark.sql(source.query());
      };
    } catch (Exception e) {
      if (!e.getClass().getName().startsWith("org.apache.spark.sql")) {
        throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
      }
      String message = String.valueOf(e.getMessage());
      if ((source.kind() == SourceKind.FILE || source.kind() == SourceKind.SPARK_PATH)
          && (message.contains("PATH_NOT_FOUND") || message.contains("Path does not exist"))) {
        throw new SourcePathNotFoundException(
            "Cannot read source "
                + source.name()
                + ": path "
                + source.path()
                + " does not exist; check the data source's path in the definitions",
            e);
      }
      if (message.contains("TABLE_OR_VIEW_NOT_FOUND")
          || e.getClass().getSimpleName().equals("ParseException")) {
        throw new InvalidUsageException(
            "Cannot read source " + source.name() + " (" + describe(source) + "): " + message, e);
      }
      throw new InvalidSourceDataException(
          "Cannot read source " + source.name() + " (" + describe(source) + "): " + message, e);
    }
  }

  private static Dataset<Row> readPath(SparkSession spark, DataSourceDefinition source) {
    String format =
        source.fileFormat() == null ? "parquet" : source.fileFormat().toLowerCase(Locale.ROOT);
    DataFrameReader reader = spark.read().format(format);
    if (format.equals("csv")) {
      reader = reader.option("header", "true").option("inferSchema", "true");
    }
    return reader.load(source.path());
  }

  /**
   * Keeps only the date partitions that can hold rows of the window: {@code start date <= partition
   * <= end date}, compared as dates for a date column or as text in the source's format (Python
   * strftime, default {@code %Y-%m-%d}) for a string column.
   */
  static Column partitionFilter(
      Dataset<Row> rows, DataSourceDefinition source, TimeInterval window) {
    String name = source.datePartitionColumn();
    StructField field = field(rows, name, source);
    LocalDate first = LocalDate.ofInstant(window.start(), ZoneOffset.UTC);
    LocalDate last = LocalDate.ofInstant(window.end(), ZoneOffset.UTC);
    DataType type = field.dataType();
    if (type.equals(DataTypes.DateType)) {
      return col(name).geq(lit(first)).and(col(name).leq(lit(last)));
    }
    if (type.equals(DataTypes.StringType)) {
      String format =
          source.datePartitionColumnFormat() == null
              ? DEFAULT_DATE_PARTITION_FORMAT
              : source.datePartitionColumnFormat();
      DateTimeFormatter formatter = javaFormat(format);
      return col(name)
          .geq(lit(formatter.format(first)))
          .and(col(name).leq(lit(formatter.format(last))));
    }
    throw new InvalidSourceDataException(
        "Cannot prune source "
            + source.name()
            + " by date_partition_column "
            + name
            + ": its type is "
            + type.simpleString()
            + "; use a date or string column");
  }

  /** Python strftime's date directives as a Java pattern ({@code %Y-%m-%d} → yyyy-MM-dd). */
  static DateTimeFormatter javaFormat(String strftime) {
    int year = strftime.indexOf("%Y");
    int month = strftime.indexOf("%m");
    int day = strftime.indexOf("%d");
    if (year < 0 || (month >= 0 && month < year) || (day >= 0 && (month < 0 || day < month))) {
      // Partition values are compared as text: only year, month, day in that order sort by date.
      throw new InvalidUsageException(
          "Invalid date_partition_column_format '"
              + strftime
              + "': partitions are compared as text, so the format must hold %Y, then %m, then"
              + " %d (such as %Y-%m-%d or %Y/%m/%d)");
    }
    StringBuilder pattern = new StringBuilder();
    for (int i = 0; i < strftime.length(); i++) {
      char c = strftime.charAt(i);
      if (c == '%' && i + 1 < strftime.length()) {
        char directive = strftime.charAt(++i);
        pattern.append(
            switch (directive) {
              case 'Y' -> "yyyy";
              case 'm' -> "MM";
              case 'd' -> "dd";
              case '%' -> "'%'";
              default ->
                  throw new InvalidUsageException(
                      "Invalid date_partition_column_format '"
                          + strftime
                          + "': only %Y, %m and %d are supported");
            });
      } else if (Character.isLetter(c)) {
        pattern.append('\'').append(c).append('\'');
      } else {
        pattern.append(c);
      }
    }
    return DateTimeFormatter.ofPattern(pattern.toString(), Locale.ROOT);
  }

  static boolean hasColumn(Dataset<Row> rows, String name) {
    for (String column : rows.columns()) {
      if (column.equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static StructField field(Dataset<Row> rows, String name, DataSourceDefinition source) {
    for (StructField field : rows.schema().fields()) {
      if (field.name().equals(name)) {
        return field;
      }
    }
    throw new InvalidSourceDataException(
        "Cannot materialize from source "
            + source.name()
            + ": no column "
            + name
            + " in "
            + describe(source)
            + " (columns: "
            + String.join(", ", rows.columns())
            + ")");
  }
}
