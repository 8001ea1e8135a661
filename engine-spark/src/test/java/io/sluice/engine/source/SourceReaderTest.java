package io.sluice.engine.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.InvalidSourceDataException;
import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.SparkTestBase;
import io.sluice.registry.DataSourceDefinition;
import io.sluice.registry.SourceKind;
import io.sluice.registry.TimeInterval;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceReaderTest extends SparkTestBase {
  private static final TimeInterval MAY_2 =
      new TimeInterval(
          Instant.parse("2024-05-02T00:00:00Z"), Instant.parse("2024-05-02T12:00:00Z"));
  @TempDir Path dir;

  private DataSourceDefinition source(
      SourceKind kind,
      String path,
      String query,
      String partitionColumn,
      String format,
      Map<String, String> mapping) {
    return new DataSourceDefinition(
        "s",
        kind,
        path,
        null,
        query,
        kind == SourceKind.SPARK_QUERY ? null : "parquet",
        "ts",
        null,
        partitionColumn,
        format,
        mapping);
  }

  @Test
  void datePartitionsOutsideTheWindowAreNotRead() {
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("ts", DataTypes.TimestampType)
            .add("dt", DataTypes.StringType);
    spark()
        .createDataFrame(
            List.of(
                RowFactory.create(1L, Instant.parse("2024-05-01T10:00:00Z"), "2024/05/01"),
                RowFactory.create(2L, Instant.parse("2024-05-02T10:00:00Z"), "2024/05/02"),
                RowFactory.create(3L, Instant.parse("2024-05-03T10:00:00Z"), "2024/05/03")),
            schema)
        .write()
        .partitionBy("dt")
        .parquet(dir.resolve("t").toString());
    List<Row> rows =
        SourceReader.read(
                spark(),
                source(
                    SourceKind.FILE,
                    dir.resolve("t").toString(),
                    null,
                    "dt",
                    "%Y/%m/%d",
                    Map.of("id", "driver_id")),
                MAY_2)
            .select("driver_id")
            .collectAsList();
    assertThat(rows).extracting(row -> row.getLong(0)).containsExactly(2L);
  }

  @Test
  void queriesAndMappingsAreResolvedWithClearErrors() {
    DataSourceDefinition query =
        source(
            SourceKind.SPARK_QUERY,
            null,
            "SELECT 1 AS id, TIMESTAMP'2024-05-02 01:00:00' AS ts",
            null,
            null,
            Map.of());
    assertThat(SourceReader.read(spark(), query, MAY_2).count()).isEqualTo(1);

    DataSourceDefinition badQuery =
        source(SourceKind.SPARK_QUERY, null, "SELEC nothing", null, null, Map.of());
    assertThatThrownBy(() -> SourceReader.read(spark(), badQuery, MAY_2))
        .isInstanceOf(InvalidUsageException.class)
        .hasMessageStartingWith("Cannot read source s (query SELEC nothing): ");

    DataSourceDefinition badMapping =
        source(
            SourceKind.SPARK_QUERY,
            null,
            "SELECT 1 AS id, TIMESTAMP'2024-05-02' AS ts",
            null,
            null,
            Map.of("trips", "avg_trips"));
    assertThatThrownBy(() -> SourceReader.read(spark(), badMapping, MAY_2))
        .isInstanceOf(InvalidSourceDataException.class)
        .hasMessage(
            "Cannot apply field_mapping of source s: no column trips in query SELECT 1 AS id,"
                + " TIMESTAMP'2024-05-02' AS ts (columns: id, ts)");
  }

  @Test
  void strftimeDateFormatsBecomeJavaPatterns() {
    assertThat(SourceReader.javaFormat("%Y-%m-%d").format(java.time.LocalDate.of(2024, 5, 2)))
        .isEqualTo("2024-05-02");
    assertThat(SourceReader.javaFormat("%Y%m%d").format(java.time.LocalDate.of(2024, 5, 2)))
        .isEqualTo("20240502");
    assertThatThrownBy(() -> SourceReader.javaFormat("%d/%m/%Y"))
        .isInstanceOf(InvalidUsageException.class)
        .hasMessageStartingWith(
            "Invalid date_partition_column_format '%d/%m/%Y': partitions are compared as text");
    assertThatThrownBy(() -> SourceReader.javaFormat("%Y-%j"))
        .isInstanceOf(InvalidUsageException.class)
        .hasMessage(
            "Invalid date_partition_column_format '%Y-%j': only %Y, %m and %d are supported");
  }
}
