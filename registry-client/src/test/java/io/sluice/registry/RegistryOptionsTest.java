package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UnknownFieldSet;
import feast.proto.core.FeatureViewProto.FeatureViewMeta;
import io.sluice.registry.RegistryConfig.SchemaMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feast's SQL registry options that change what Sluice writes, on a real SQLite registry: {@code
 * schema_mode}, {@code purge_feast_metadata}, and the version number that {@code
 * enable_online_feature_view_versioning} puts in online table names.
 */
class RegistryOptionsTest {
  @TempDir Path folder;

  private RegistryConfig config(boolean purge, SchemaMode mode) {
    RegistryConfig file = RegistryConfig.sqlite(folder.resolve("registry.db"));
    return new RegistryConfig(file.dialect(), file.jdbcUrl(), null, null, false, purge, mode);
  }

  private long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(config(false, SchemaMode.AUTO).jdbcUrl());
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void verifyCreatesNoneOfFeastsTablesAndNamesTheMissingOnes() throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(config(false, SchemaMode.VERIFY))) {
      assertThatThrownBy(registry::ensureSchema)
          .isInstanceOf(RegistryConfigurationException.class)
          .hasMessageContaining("The registry lacks Feast's tables [")
          .hasMessageContaining("feature_views")
          .hasMessageContaining("schema_mode: verify creates none");
    }
    assertThat(count("SELECT count(*) FROM sqlite_master WHERE name = 'feature_views'")).isZero();
    // Once Feast's tables exist (here made in auto mode), verify passes.
    try (SqlRegistry registry = SqlRegistry.open(config(false, SchemaMode.AUTO))) {
      registry.ensureSchema();
    }
    try (SqlRegistry registry = SqlRegistry.open(config(false, SchemaMode.VERIFY))) {
      registry.ensureSchema();
    }
  }

  @Test
  void skipCreatesOnlySluicesOwnTable() throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(config(false, SchemaMode.SKIP))) {
      registry.ensureSchema();
    }
    assertThat(count("SELECT count(*) FROM sqlite_master WHERE name = 'feature_views'")).isZero();
    assertThat(
            count("SELECT count(*) FROM sqlite_master WHERE name = 'sluice_materialization_runs'"))
        .isEqualTo(1);
  }

  @Test
  void purgeFeastMetadataLeavesTheMetadataTableAlone() throws Exception {
    Path definitions =
        Files.writeString(
            folder.resolve("definitions.yaml"), DefinitionsFileTest.DRIVER_DEFINITIONS);
    try (SqlRegistry registry = SqlRegistry.open(config(true, SchemaMode.AUTO))) {
      registry.apply("p", definitions);
    }
    assertThat(count("SELECT count(*) FROM feast_metadata")).isZero();
    assertThat(count("SELECT count(*) FROM feature_views WHERE project_id = 'p'")).isPositive();
    try (SqlRegistry registry = SqlRegistry.open(config(false, SchemaMode.AUTO))) {
      registry.apply("q", definitions);
    }
    assertThat(count("SELECT count(*) FROM feast_metadata WHERE project_id = 'q'")).isPositive();
  }

  @Test
  void theVersionNumberFeast066StoresIsReadFromTheUnknownFields() throws Exception {
    FeatureViewMeta meta =
        FeatureViewMeta.newBuilder()
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(
                        FeastProtos.META_CURRENT_VERSION_NUMBER_FIELD,
                        UnknownFieldSet.Field.newBuilder().addVarint(3).build())
                    .build())
            .build();
    FeatureViewMeta parsed = FeatureViewMeta.parseFrom(meta.toByteArray());
    assertThat(FeastProtos.currentVersionNumber(parsed)).isEqualTo(3);
    assertThat(FeastProtos.currentVersionNumber(FeatureViewMeta.getDefaultInstance())).isZero();

    FeatureViewDefinition v =
        DefinitionsFile.parse(
                Files.writeString(
                    folder.resolve("definitions.yaml"), DefinitionsFileTest.DRIVER_DEFINITIONS),
                "p")
            .featureViews()
            .get(0);
    FeatureViewDefinition versioned =
        new FeatureViewDefinition(
            v.project(),
            v.name(),
            v.entityNames(),
            v.entityColumns(),
            v.features(),
            v.ttl(),
            v.online(),
            v.batchSource(),
            v.materializationIntervals(),
            v.state(),
            2);
    assertThat(versioned.onlineName(true)).isEqualTo(v.name() + "_v2");
    assertThat(versioned.onlineName(false)).isEqualTo(v.name());
    assertThat(v.onlineName(true)).isEqualTo(v.name());
  }
}
