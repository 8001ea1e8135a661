package io.sluice.registry;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Duration;
import com.google.protobuf.UnknownFieldSet;
import feast.proto.core.DataFormatProto.FileFormat;
import feast.proto.core.DataSourceProto.DataSource;
import feast.proto.core.EntityProto.Entity;
import feast.proto.core.EntityProto.EntitySpecV2;
import feast.proto.core.FeatureProto.FeatureSpecV2;
import feast.proto.core.FeatureViewProto.FeatureView;
import feast.proto.core.FeatureViewProto.FeatureViewMeta;
import feast.proto.core.FeatureViewProto.FeatureViewSpec;
import feast.proto.core.FeatureViewProto.MaterializationInterval;
import feast.proto.types.ValueProto.ValueType;
import io.sluice.common.feast.Column;
import io.sluice.common.feast.ProtoTimestamps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Conversions between Feast's registry protos and Sluice's definition records. Updates always start
 * from the stored message's {@code toBuilder()}, so fields this jar does not know (newer Feast
 * fields arrive as unknown fields) survive byte for byte.
 */
final class FeastProtos {
  /** {@code FeatureViewMeta.state} in Feast 0.66; unknown to the 0.38 classes. */
  static final int META_STATE_FIELD = 6;

  /** {@code FeatureViewMeta.current_version_number} in Feast 0.66; unknown to the 0.38 classes. */
  static final int META_CURRENT_VERSION_NUMBER_FIELD = 4;

  /** {@code FeatureViewMeta.state} value AVAILABLE_ONLINE. */
  static final long STATE_AVAILABLE_ONLINE = FeatureViewState.AVAILABLE_ONLINE.number();

  static final String FILE_SOURCE_CLASS = "feast.infra.offline_stores.file_source.FileSource";
  static final String SPARK_SOURCE_CLASS =
      "feast.infra.offline_stores.contrib.spark_offline_store.spark_source.SparkSource";

  /**
   * Feast's SparkOptions has no field for the partition column's format in the 0.38 protos, so it
   * travels as a tag, which Feast keeps.
   */
  static final String DATE_PARTITION_FORMAT_TAG = "sluice.date_partition_column_format";

  private FeastProtos() {}

  static FeatureViewDefinition featureView(
      String project, FeatureView proto, Map<String, EntityDefinition> entities) {
    FeatureViewSpec spec = proto.getSpec();
    List<String> entityNames = new ArrayList<>();
    for (String name : spec.getEntitiesList()) {
      if (!name.equals(FeatureViewDefinition.DUMMY_ENTITY_NAME)) {
        entityNames.add(name);
      }
    }
    List<Column> entityColumns = new ArrayList<>();
    if (spec.getEntityColumnsCount() > 0) {
      for (FeatureSpecV2 column : spec.getEntityColumnsList()) {
        if (!column.getName().equals(FeatureViewDefinition.DUMMY_JOIN_KEY)) {
          entityColumns.add(new Column(column.getName(), column.getValueType()));
        }
      }
    } else {
      // Registries written by older Feast have no entity_columns: take the entities' join keys.
      for (String name : entityNames) {
        EntityDefinition entity = entities.get(name);
        if (entity == null) {
          throw new RegistryConfigurationException(
              "Cannot read feature view '"
                  + spec.getName()
                  + "': its entity '"
                  + name
                  + "' is not in project '"
                  + project
                  + "'");
        }
        entityColumns.add(new Column(entity.joinKey(), entity.valueType()));
      }
    }
    List<Column> features = new ArrayList<>();
    for (FeatureSpecV2 feature : spec.getFeaturesList()) {
      features.add(new Column(feature.getName(), feature.getValueType()));
    }
    return new FeatureViewDefinition(
        project,
        spec.getName(),
        entityNames,
        entityColumns,
        features,
        java.time.Duration.ofSeconds(spec.getTtl().getSeconds(), spec.getTtl().getNanos()),
        spec.getOnline(),
        dataSource(spec.getName(), spec.getBatchSource()),
        intervals(proto.getMeta()),
        state(proto.getMeta()),
        currentVersionNumber(proto.getMeta()));
  }

  /** Feast 0.66's {@code meta.current_version_number}, an int32 this jar keeps as unknown. */
  static int currentVersionNumber(FeatureViewMeta meta) {
    UnknownFieldSet.Field field =
        meta.getUnknownFields().getField(META_CURRENT_VERSION_NUMBER_FIELD);
    List<Long> values = field.getVarintList();
    return values.isEmpty() ? 0 : (int) (long) values.get(values.size() - 1);
  }

  /** The view's Feast 0.66 state, from the unknown-field set; the last value wins, as in proto3. */
  static FeatureViewState state(FeatureViewMeta meta) {
    UnknownFieldSet fields = meta.getUnknownFields();
    if (!fields.hasField(META_STATE_FIELD)) {
      return FeatureViewState.STATE_UNSPECIFIED;
    }
    List<Long> values = fields.getField(META_STATE_FIELD).getVarintList();
    return values.isEmpty()
        ? FeatureViewState.UNRECOGNIZED
        : FeatureViewState.forNumber(values.get(values.size() - 1));
  }

  static List<TimeInterval> intervals(FeatureViewMeta meta) {
    List<TimeInterval> intervals = new ArrayList<>();
    for (MaterializationInterval interval : meta.getMaterializationIntervalsList()) {
      Instant start = ProtoTimestamps.toInstant(interval.getStartTime());
      Instant end = ProtoTimestamps.toInstant(interval.getEndTime());
      if (start.isBefore(end)) {
        intervals.add(new TimeInterval(start, end));
      }
    }
    return intervals;
  }

  static DataSourceDefinition dataSource(String viewName, DataSource source) {
    String name = source.getName().isEmpty() ? viewName + "_source" : source.getName();
    String partitionFormat = source.getTagsMap().get(DATE_PARTITION_FORMAT_TAG);
    SourceKind kind;
    String path = null;
    String table = null;
    String query = null;
    String format = null;
    switch (source.getOptionsCase()) {
      case FILE_OPTIONS -> {
        kind = SourceKind.FILE;
        path = source.getFileOptions().getUri();
        format = source.getFileOptions().getFileFormat().hasDeltaFormat() ? "delta" : "parquet";
      }
      case SPARK_OPTIONS -> {
        DataSource.SparkOptions spark = source.getSparkOptions();
        if (!spark.getTable().isEmpty()) {
          kind = SourceKind.SPARK_TABLE;
          table = spark.getTable();
        } else if (!spark.getQuery().isEmpty()) {
          kind = SourceKind.SPARK_QUERY;
          query = spark.getQuery();
        } else if (!spark.getPath().isEmpty()) {
          kind = SourceKind.SPARK_PATH;
          path = spark.getPath();
          format = spark.getFileFormat().isEmpty() ? "parquet" : spark.getFileFormat();
        } else {
          throw new RegistryConfigurationException(
              "Cannot read the batch source of feature view '"
                  + viewName
                  + "': its Spark source has no table, query or path");
        }
      }
      default ->
          throw new RegistryConfigurationException(
              "Cannot materialize feature view '"
                  + viewName
                  + "': its batch source '"
                  + name
                  + "' is of type "
                  + source.getType()
                  + "; Sluice reads file and Spark sources");
    }
    if (source.getTimestampField().isEmpty()) {
      throw new RegistryConfigurationException(
          "Cannot materialize feature view '"
              + viewName
              + "': its batch source '"
              + name
              + "' has no timestamp_field");
    }
    return new DataSourceDefinition(
        name,
        kind,
        path,
        table,
        query,
        format,
        source.getTimestampField(),
        emptyToNull(source.getCreatedTimestampColumn()),
        emptyToNull(source.getDatePartitionColumn()),
        partitionFormat,
        source.getFieldMappingMap());
  }

  static EntityDefinition entity(Entity proto) {
    EntitySpecV2 spec = proto.getSpec();
    return new EntityDefinition(spec.getName(), spec.getJoinKey(), spec.getValueType());
  }

  /** The entity to store: the existing message updated, or a new one. */
  static Entity entity(
      Optional<Entity> existing, String project, EntityDefinition definition, Instant now) {
    Entity.Builder builder = existing.map(Entity::toBuilder).orElseGet(Entity::newBuilder);
    builder
        .getSpecBuilder()
        .setName(definition.name())
        .setProject(project)
        .setJoinKey(definition.joinKey())
        .setValueType(definition.valueType());
    if (existing.isEmpty() || !builder.getMeta().hasCreatedTimestamp()) {
      builder.getMetaBuilder().setCreatedTimestamp(ProtoTimestamps.toProto(now));
    }
    builder.getMetaBuilder().setLastUpdatedTimestamp(ProtoTimestamps.toProto(now));
    return builder.build();
  }

  /** Feast's dummy entity, which entity-less feature views refer to. */
  static EntityDefinition dummyEntity() {
    return new EntityDefinition(
        FeatureViewDefinition.DUMMY_ENTITY_NAME,
        FeatureViewDefinition.DUMMY_JOIN_KEY,
        ValueType.Enum.STRING);
  }

  static DataSource dataSource(
      Optional<DataSource> existing, String project, DataSourceDefinition definition) {
    DataSource.Builder builder =
        existing.map(DataSource::toBuilder).orElseGet(DataSource::newBuilder);
    builder
        .setName(definition.name())
        .setProject(project)
        .setTimestampField(definition.timestampField())
        .setCreatedTimestampColumn(nullToEmpty(definition.createdTimestampColumn()))
        .setDatePartitionColumn(nullToEmpty(definition.datePartitionColumn()))
        .clearFieldMapping()
        .putAllFieldMapping(definition.fieldMapping())
        .removeTags(DATE_PARTITION_FORMAT_TAG);
    if (definition.datePartitionColumnFormat() != null) {
      builder.putTags(DATE_PARTITION_FORMAT_TAG, definition.datePartitionColumnFormat());
    }
    if (definition.kind() == SourceKind.FILE) {
      builder
          .setType(DataSource.SourceType.BATCH_FILE)
          .setDataSourceClassType(FILE_SOURCE_CLASS)
          .setFileOptions(
              DataSource.FileOptions.newBuilder()
                  .setUri(definition.path())
                  .setFileFormat(
                      FileFormat.newBuilder()
                          .setParquetFormat(FileFormat.ParquetFormat.getDefaultInstance())));
    } else {
      DataSource.SparkOptions.Builder spark = DataSource.SparkOptions.newBuilder();
      switch (definition.kind()) {
        case SPARK_TABLE -> spark.setTable(definition.table());
        case SPARK_QUERY -> spark.setQuery(definition.query());
        default -> spark.setPath(definition.path()).setFileFormat(definition.fileFormat());
      }
      builder
          .setType(DataSource.SourceType.BATCH_SPARK)
          .setDataSourceClassType(SPARK_SOURCE_CLASS)
          .setSparkOptions(spark);
    }
    return builder.build();
  }

  /**
   * The feature view to store. An existing view keeps its created timestamp, its recorded intervals
   * and every field Sluice does not set.
   */
  static FeatureView featureView(
      Optional<FeatureView> existing,
      String project,
      FeatureViewDefinition definition,
      DataSource batchSource,
      Instant now) {
    FeatureView.Builder builder =
        existing.map(FeatureView::toBuilder).orElseGet(FeatureView::newBuilder);
    FeatureViewSpec.Builder spec =
        builder
            .getSpecBuilder()
            .setName(definition.name())
            .setProject(project)
            .clearEntities()
            .clearEntityColumns()
            .clearFeatures()
            .setTtl(
                Duration.newBuilder()
                    .setSeconds(definition.ttl().getSeconds())
                    .setNanos(definition.ttl().getNano()))
            .setOnline(definition.online())
            .setBatchSource(batchSource);
    if (definition.isEntityless()) {
      spec.addEntities(FeatureViewDefinition.DUMMY_ENTITY_NAME);
    } else {
      spec.addAllEntities(definition.entityNames());
      for (Column column : definition.entityColumns()) {
        spec.addEntityColumns(column(column));
      }
    }
    for (Column feature : definition.features()) {
      spec.addFeatures(column(feature));
    }
    FeatureViewMeta.Builder meta = builder.getMetaBuilder();
    if (existing.isEmpty() || !meta.hasCreatedTimestamp()) {
      meta.setCreatedTimestamp(ProtoTimestamps.toProto(now));
    }
    meta.setLastUpdatedTimestamp(ProtoTimestamps.toProto(now));
    return builder.build();
  }

  /**
   * {@code stored} with {@code interval} merged into its intervals (coalesced and sorted), its
   * state set to AVAILABLE_ONLINE and its last-updated time set to {@code now}.
   */
  static FeatureView withInterval(FeatureView stored, TimeInterval interval, Instant now) {
    List<TimeInterval> all = intervals(stored.getMeta());
    all.add(interval);
    FeatureView.Builder builder = stored.toBuilder();
    FeatureViewMeta.Builder meta = builder.getMetaBuilder().clearMaterializationIntervals();
    for (TimeInterval merged : TimeIntervals.merge(all)) {
      meta.addMaterializationIntervals(
          MaterializationInterval.newBuilder()
              .setStartTime(ProtoTimestamps.toProto(merged.start()))
              .setEndTime(ProtoTimestamps.toProto(merged.end())));
    }
    meta.setLastUpdatedTimestamp(ProtoTimestamps.toProto(now));
    meta.setUnknownFields(
        UnknownFieldSet.newBuilder(meta.getUnknownFields())
            .clearField(META_STATE_FIELD)
            .addField(
                META_STATE_FIELD,
                UnknownFieldSet.Field.newBuilder().addVarint(STATE_AVAILABLE_ONLINE).build())
            .build());
    return builder.build();
  }

  /** Feast's {@code Project} message (not in the 0.38 jar): spec.name and meta timestamps. */
  static byte[] project(String name, Instant created, Instant updated) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      ByteString spec = message(o -> o.writeString(1, name));
      ByteString meta =
          message(
              o -> {
                o.writeMessage(1, ProtoTimestamps.toProto(created));
                o.writeMessage(2, ProtoTimestamps.toProto(updated));
              });
      out.writeBytes(1, spec);
      out.writeBytes(2, meta);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  private static ByteString message(Writer writer) throws IOException {
    ByteString.Output bytes = ByteString.newOutput();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    writer.write(out);
    out.flush();
    return bytes.toByteString();
  }

  private static FeatureSpecV2 column(Column column) {
    return FeatureSpecV2.newBuilder().setName(column.name()).setValueType(column.type()).build();
  }

  private static String emptyToNull(String value) {
    return value.isEmpty() ? null : value;
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
