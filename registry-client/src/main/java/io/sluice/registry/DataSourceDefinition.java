package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A feature view's batch source, as the engine needs it. Optional text components are {@code null}
 * when the source does not set them.
 *
 * @param path the files' location (a local path, {@code file:}, {@code hdfs:}, {@code s3a:} URI)
 *     for {@link SourceKind#FILE} and {@link SourceKind#SPARK_PATH}
 * @param table the Spark table for {@link SourceKind#SPARK_TABLE}
 * @param query the Spark SQL query for {@link SourceKind#SPARK_QUERY}
 * @param fileFormat {@code parquet}, {@code csv}, {@code json}, {@code orc}…, null for a table or a
 *     query
 * @param timestampField the event timestamp column (required)
 * @param fieldMapping source column name → feature or join key name; empty when none
 */
public record DataSourceDefinition(
    String name,
    SourceKind kind,
    String path,
    String table,
    String query,
    String fileFormat,
    String timestampField,
    String createdTimestampColumn,
    String datePartitionColumn,
    String datePartitionColumnFormat,
    Map<String, String> fieldMapping) {
  public DataSourceDefinition {
    requireNonNull(name, "name is null");
    requireNonNull(kind, "kind is null");
    requireNonNull(timestampField, "timestampField is null");
    fieldMapping = Map.copyOf(requireNonNull(fieldMapping, "fieldMapping is null"));
    switch (kind) {
      case FILE, SPARK_PATH -> requireNonNull(path, "path is null for a " + kind + " source");
      case SPARK_TABLE -> requireNonNull(table, "table is null for a SPARK_TABLE source");
      case SPARK_QUERY -> requireNonNull(query, "query is null for a SPARK_QUERY source");
    }
  }

  /**
   * This source with a relative file path resolved against {@code repoFolder}, as Feast's {@code
   * FileSource.get_uri_for_file_path} does with the feature repo's folder (the folder of {@code
   * feature_store.yaml}); a path with a scheme ({@code s3a://}, {@code hdfs://}, {@code file:}) or
   * an absolute one is kept, as is every other kind of source (Spark resolves those itself).
   */
  public DataSourceDefinition withPathResolvedAgainst(java.nio.file.Path repoFolder) {
    if (kind != SourceKind.FILE
        || path.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")
        || java.nio.file.Path.of(path).isAbsolute()) {
      return this;
    }
    return new DataSourceDefinition(
        name,
        kind,
        repoFolder.resolve(path).normalize().toString(),
        table,
        query,
        fileFormat,
        timestampField,
        createdTimestampColumn,
        datePartitionColumn,
        datePartitionColumnFormat,
        fieldMapping);
  }
}
