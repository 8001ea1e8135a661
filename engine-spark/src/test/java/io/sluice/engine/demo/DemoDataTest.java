package io.sluice.engine.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.SparkTestBase;
import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's Parquet, read at the level of its file footers. */
class DemoDataTest extends SparkTestBase {
  private static final String OUTPUT_TIMESTAMP_TYPE = "spark.sql.parquet.outputTimestampType";

  @TempDir Path dir;

  @Test
  void timestampsAreUtcAdjustedMicrosInEveryFileAndTheSessionIsLeftAsItWas() throws Exception {
    spark().conf().set(OUTPUT_TIMESTAMP_TYPE, "INT96");
    Path target = dir.resolve("driver_stats.parquet");

    long rows = DemoData.write(spark(), target, Instant.parse("2024-05-01T00:00:00Z"), 2, 10);

    assertThat(rows).isEqualTo(20);
    assertThat(spark().conf().get(OUTPUT_TIMESTAMP_TYPE)).isEqualTo("INT96");
    List<File> files =
        Arrays.stream(target.toFile().listFiles())
            .filter(file -> file.getName().endsWith(".parquet"))
            .toList();
    assertThat(files).isNotEmpty();
    for (File file : files) {
      try (ParquetFileReader reader =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(
                  new org.apache.hadoop.fs.Path(file.toURI()), new Configuration()))) {
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        for (String column : List.of("event_timestamp", "created")) {
          assertThat(schema.getType(column).asPrimitiveType().getPrimitiveTypeName())
              .as(column)
              .isEqualTo(PrimitiveTypeName.INT64);
          LogicalTypeAnnotation logical = schema.getType(column).getLogicalTypeAnnotation();
          assertThat(logical).as(column).isInstanceOf(TimestampLogicalTypeAnnotation.class);
          TimestampLogicalTypeAnnotation timestamp = (TimestampLogicalTypeAnnotation) logical;
          assertThat(timestamp.isAdjustedToUTC()).as(column).isTrue();
          assertThat(timestamp.getUnit()).as(column).isEqualTo(TimeUnit.MICROS);
        }
      }
    }
  }
}
