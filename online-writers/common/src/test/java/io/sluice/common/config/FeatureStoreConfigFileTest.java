package io.sluice.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureStoreConfigFileTest {
  @TempDir Path folder;

  private Path write(String yaml) throws Exception {
    return Files.writeString(folder.resolve("feature_store.yaml"), yaml);
  }

  @Test
  void sectionsAreExposedAndVariablesExpanded() throws Exception {
    Path file =
        write(
            "project: driver_ranking\n"
                + "registry:\n"
                + "  registry_type: sql\n"
                + "  path: postgresql://feast:${PG_PASSWORD}@db:5432/feast\n"
                + "online_store:\n"
                + "  type: redis\n"
                + "  connection_string: localhost:6379\n"
                + "# a comment mentioning ${NOT_SET} is left alone\n"
                + "entity_key_serialization_version: 2\n");

    FeatureStoreConfigFile config =
        FeatureStoreConfigFile.load(file, Map.of("PG_PASSWORD", "s%40cret"));

    assertThat(config.project()).isEqualTo("driver_ranking");
    assertThat(config.directory()).isEqualTo(folder.toAbsolutePath());
    assertThat(config.section("online_store").text("type", null)).isEqualTo("redis");
    assertThat(config.section("offline_store").isPresent()).isFalse();
    assertThat(config.entityKeySerializationVersion()).isEqualTo(2);
    assertThat(config.registry().text("path", null))
        .isEqualTo("postgresql://feast:s%40cret@db:5432/feast");
    assertThat(config.toString()).doesNotContain("cret");
  }

  @Test
  void serializationVersionDefaultsToThree() throws Exception {
    Path file = write("project: p\nregistry: {registry_type: sql, path: sqlite:///r.db}\n");

    FeatureStoreConfigFile config = FeatureStoreConfigFile.load(file, Map.of());

    assertThat(config.entityKeySerializationVersion()).isEqualTo(3);
    assertThat(config.registry().text("path", null)).isEqualTo("sqlite:///r.db");
  }

  @Test
  void unsetVariableIsNamedWithItsLine() throws Exception {
    Path file =
        write(
            "project: p\nregistry:\n  registry_type: sql\n  path: postgresql://u:${PGPASS}@h/db\n");

    assertThatThrownBy(() -> FeatureStoreConfigFile.load(file, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Cannot expand ${PGPASS} in "
                + file.toAbsolutePath()
                + ", line 4: environment variable PGPASS is not set");
  }

  @Test
  void unknownTopLevelKeyIsReported() throws Exception {
    Path file = write("project: p\nregsitry: {registry_type: sql, path: sqlite:///r.db}\n");

    assertThatThrownBy(() -> FeatureStoreConfigFile.load(file, Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith(
            "Invalid "
                + file.toAbsolutePath()
                + ": unknown top-level key 'regsitry' (did you mean 'registry'?); known keys: [")
        .hasMessageContaining("online_store")
        .hasMessageContaining("sluice]");
  }

  @Test
  void missingProjectAndMissingFileAreReported() throws Exception {
    Path file = write("registry: {registry_type: sql, path: sqlite:///r.db}\n");

    assertThatThrownBy(() -> FeatureStoreConfigFile.load(file, Map.of()))
        .hasMessage(
            "Invalid "
                + file.toAbsolutePath()
                + ": `project:` must be set to the Feast project name");
    assertThatThrownBy(() -> FeatureStoreConfigFile.load(folder.resolve("nope.yaml"), Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Cannot read "
                + folder.toAbsolutePath().resolve("nope.yaml")
                + ": the file does not exist");
  }

  @Test
  void aSerializationVersionThatIsNoNumberIsNamed() throws Exception {
    Path file =
        write(
            "project: p\nregistry: {registry_type: sql, path: sqlite:///r.db}\n"
                + "entity_key_serialization_version: two\n");

    FeatureStoreConfigFile config = FeatureStoreConfigFile.load(file, Map.of());

    assertThatThrownBy(config::entityKeySerializationVersion)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Invalid entity_key_serialization_version in "
                + file.toAbsolutePath()
                + ": must be a whole number, got: \"two\"");
  }

  @Test
  void missingRegistryIsReportedWhenAsked() throws Exception {
    Path file = write("project: p\n");

    FeatureStoreConfigFile config = FeatureStoreConfigFile.load(file, Map.of());

    assertThatThrownBy(config::registry)
        .hasMessageContaining(
            "`registry:` is missing; Sluice needs `registry: {registry_type: sql");
  }
}
