package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import feast.proto.core.DataFormatProto.FileFormat;
import feast.proto.core.DataSourceProto.DataSource;
import feast.proto.core.FeatureProto.FeatureSpecV2;
import feast.proto.core.FeatureViewProto.FeatureView;
import feast.proto.core.FeatureViewProto.FeatureViewMeta;
import feast.proto.core.FeatureViewProto.FeatureViewSpec;
import feast.proto.types.ValueProto.ValueType;
import io.sluice.common.feast.ProtoTimestamps;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A registry whose tables were created the way Feast's SQLAlchemy metadata creates them (short
 * VARCHAR keys; 64 KB BLOB on MySQL), holding a feature view written by a newer Feast: fields the
 * 0.38 protos do not know must survive recording an interval byte for byte.
 */
class FeastCreatedRegistryTest {
  private static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");

  @TempDir Path folder;

  private final String project = "f_" + UUID.randomUUID().toString().replace("-", "");

  private static void createFeastTables(Connection connection, TestDatabase database)
      throws Exception {
    String blob =
        switch (database) {
          case SQLITE -> "BLOB";
          case POSTGRESQL -> "BYTEA";
          case MARIADB -> "BLOB";
        };
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS feature_views (feature_view_name VARCHAR(50) NOT NULL,"
              + " project_id VARCHAR(50) NOT NULL, last_updated_timestamp BIGINT NOT NULL,"
              + " materialized_intervals "
              + blob
              + ", feature_view_proto "
              + blob
              + " NOT NULL,"
              + " user_metadata "
              + blob
              + ", PRIMARY KEY (feature_view_name, project_id))");
      statement.execute(
          "CREATE TABLE IF NOT EXISTS entities (entity_name VARCHAR(50) NOT NULL,"
              + " project_id VARCHAR(50) NOT NULL, last_updated_timestamp BIGINT NOT NULL,"
              + " entity_proto "
              + blob
              + " NOT NULL, PRIMARY KEY (entity_name, project_id))");
      statement.execute(
          "CREATE TABLE IF NOT EXISTS feast_metadata (project_id VARCHAR(50) NOT NULL,"
              + " metadata_key VARCHAR(50) NOT NULL, metadata_value VARCHAR(50) NOT NULL,"
              + " last_updated_timestamp BIGINT NOT NULL, PRIMARY KEY (project_id, metadata_key))");
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void unknownFieldsSurviveRecordIntervalByteForByte(TestDatabase database) throws Exception {
    UnknownFieldSet topLevel =
        UnknownFieldSet.newBuilder()
            .addField(
                42,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFromUtf8("from-feast-0.99"))
                    .build())
            .build();
    UnknownFieldSet specFields =
        UnknownFieldSet.newBuilder()
            .addField(
                77,
                UnknownFieldSet.Field.newBuilder()
                    .addVarint(123456789L)
                    .addFixed64(0x0102030405060708L)
                    .build())
            .build();
    UnknownFieldSet metaFields =
        UnknownFieldSet.newBuilder()
            .addField(
                FeastProtos.META_STATE_FIELD,
                UnknownFieldSet.Field.newBuilder().addVarint(1).build())
            .addField(
                99,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFrom(new byte[] {0, 1, (byte) 0xff}))
                    .build())
            .build();
    FeatureView original =
        FeatureView.newBuilder()
            .setSpec(
                FeatureViewSpec.newBuilder()
                    .setName("driver_stats")
                    .setProject(project)
                    .addEntities("driver")
                    .addEntityColumns(
                        FeatureSpecV2.newBuilder()
                            .setName("driver_id")
                            .setValueType(ValueType.Enum.INT64))
                    .addFeatures(
                        FeatureSpecV2.newBuilder()
                            .setName("conv_rate")
                            .setValueType(ValueType.Enum.FLOAT))
                    .setOnline(true)
                    .setBatchSource(
                        DataSource.newBuilder()
                            .setName("driver_source")
                            .setType(DataSource.SourceType.BATCH_FILE)
                            .setTimestampField("event_timestamp")
                            .setFileOptions(
                                DataSource.FileOptions.newBuilder()
                                    .setUri("/data/driver.parquet")
                                    .setFileFormat(
                                        FileFormat.newBuilder()
                                            .setParquetFormat(
                                                FileFormat.ParquetFormat.getDefaultInstance()))))
                    .setUnknownFields(specFields))
            .setMeta(
                FeatureViewMeta.newBuilder()
                    .setCreatedTimestamp(ProtoTimestamps.toProto(T0))
                    .setUnknownFields(metaFields))
            .setUnknownFields(topLevel)
            .build();

    try (Connection connection = SqlRegistryTest.JdbcAccess.connect(database, folder)) {
      createFeastTables(connection, database);
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO feature_views (feature_view_name, project_id, last_updated_timestamp, feature_view_proto)"
                  + " VALUES (?, ?, ?, ?)")) {
        insert.setString(1, "driver_stats");
        insert.setString(2, project);
        insert.setLong(3, T0.getEpochSecond());
        insert.setBytes(4, original.toByteArray());
        insert.executeUpdate();
      }
    }

    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.ensureSchema();
      String runId =
          registry.startRun(
              project, "driver_stats", new TimeInterval(T0, T0.plusSeconds(3600)), null);
      registry.completeRun(runId, RunStats.NONE);
      assertThat(registry.featureView(project, "driver_stats").materializationIntervals())
          .containsExactly(new TimeInterval(T0, T0.plusSeconds(3600)));
    }

    try (Connection connection = SqlRegistryTest.JdbcAccess.connect(database, folder)) {
      byte[] stored =
          SqlRegistryTest.JdbcAccess.featureViewProto(connection, project, "driver_stats");
      FeatureView after = FeatureView.parseFrom(stored);
      assertThat(after.getUnknownFields()).isEqualTo(topLevel);
      assertThat(after.getSpec().getUnknownFields()).isEqualTo(specFields);
      assertThat(after.getSpec().toByteString()).isEqualTo(original.getSpec().toByteString());
      assertThat(after.getMeta().getUnknownFields().getField(99))
          .isEqualTo(metaFields.getField(99));
      assertThat(
              after
                  .getMeta()
                  .getUnknownFields()
                  .getField(FeastProtos.META_STATE_FIELD)
                  .getVarintList())
          .containsExactly(FeastProtos.STATE_AVAILABLE_ONLINE);
      assertThat(ByteString.copyFrom(stored).toStringUtf8()).contains("from-feast-0.99");
      assertThat(indexOf(stored, topLevel.toByteArray())).isNotNegative();
      assertThat(indexOf(stored, specFields.toByteArray())).isNotNegative();
      assertThat(SqlRegistryTest.JdbcAccess.metadata(connection, project, "last_updated_timestamp"))
          .isPresent();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
