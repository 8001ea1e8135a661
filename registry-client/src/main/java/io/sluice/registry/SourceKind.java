package io.sluice.registry;

/** How the engine reads a batch source. */
public enum SourceKind {
  /** Feast's FileSource ({@code BATCH_FILE}): Parquet files at {@code path}. */
  FILE,
  /** Feast's SparkSource with {@code table}. */
  SPARK_TABLE,
  /** Feast's SparkSource with {@code query}. */
  SPARK_QUERY,
  /** Feast's SparkSource with {@code path} and {@code file_format} (parquet, csv, json, orc…). */
  SPARK_PATH;
}
