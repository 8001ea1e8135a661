package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import feast.proto.types.ValueProto.ValueType;
import io.sluice.common.feast.Column;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefinitionsFileTest {
  static final String DRIVER_DEFINITIONS =
      """
      entities:
        - name: driver
          join_key: driver_id
          value_type: INT64
      data_sources:
        - name: driver_stats
          type: file
          path: data/driver_stats.parquet
          file_format: parquet
          timestamp_field: event_timestamp
          created_timestamp_column: created
          date_partition_column: dt
          field_mapping: {trips_raw: avg_daily_trips}
        - name: events
          type: spark
          table: warehouse.events
          timestamp_field: ts
      feature_views:
        - name: driver_hourly_stats
          entities: [driver]
          source: driver_stats
          ttl: 1d
          online: true
          features:
            - {name: conv_rate, dtype: FLOAT}
            - {name: avg_daily_trips, dtype: Int64}
            - {name: history, dtype: Array(Float32)}
        - name: global_stats
          entities: []
          source: events
          ttl: 0
          features:
            - {name: total, dtype: DOUBLE}
      """;

  @TempDir Path folder;

  private Path write(String yaml) throws Exception {
    return Files.writeString(folder.resolve("definitions.yaml"), yaml);
  }

  @Test
  void definitionsParseIntoRecords() throws Exception {
    DefinitionsFile definitions = DefinitionsFile.parse(write(DRIVER_DEFINITIONS), "demo");

    assertThat(definitions.entities())
        .containsExactly(new EntityDefinition("driver", "driver_id", ValueType.Enum.INT64));
    DataSourceDefinition stats = definitions.dataSources().get(0);
    assertThat(stats.kind()).isEqualTo(SourceKind.FILE);
    assertThat(stats.path())
        .isEqualTo(folder.toAbsolutePath().resolve("data/driver_stats.parquet").toString());
    assertThat(stats.createdTimestampColumn()).isEqualTo("created");
    assertThat(stats.fieldMapping()).isEqualTo(Map.of("trips_raw", "avg_daily_trips"));
    assertThat(definitions.dataSources().get(1).kind()).isEqualTo(SourceKind.SPARK_TABLE);

    FeatureViewDefinition view = definitions.featureViews().get(0);
    assertThat(view.project()).isEqualTo("demo");
    assertThat(view.entityColumns()).containsExactly(new Column("driver_id", ValueType.Enum.INT64));
    assertThat(view.features())
        .containsExactly(
            new Column("conv_rate", ValueType.Enum.FLOAT),
            new Column("avg_daily_trips", ValueType.Enum.INT64),
            new Column("history", ValueType.Enum.FLOAT_LIST));
    assertThat(view.ttl()).isEqualTo(Duration.ofDays(1));
    assertThat(definitions.featureViews().get(1).isEntityless()).isTrue();
    assertThat(definitions.featureViews().get(1).ttl()).isEqualTo(Duration.ZERO);
  }

  @Test
  void csvFileSourceBecomesASparkPathSource() throws Exception {
    DefinitionsFile definitions =
        DefinitionsFile.parse(
            write(
                "data_sources:\n  - {name: s, type: file, path: s3a://b/x.csv, file_format: csv,"
                    + " timestamp_field: ts}\n"),
            "demo");

    assertThat(definitions.dataSources().get(0).kind()).isEqualTo(SourceKind.SPARK_PATH);
    assertThat(definitions.dataSources().get(0).path()).isEqualTo("s3a://b/x.csv");
    assertThat(definitions.dataSources().get(0).fileFormat()).isEqualTo("csv");
  }

  @Test
  void unknownDtypeNamesLineAndField() throws Exception {
    Path file = write(DRIVER_DEFINITIONS.replace("dtype: Int64", "dtype: Integer"));

    assertThatThrownBy(() -> DefinitionsFile.parse(file, "demo"))
        .isInstanceOf(DefinitionsFileException.class)
        .hasMessageStartingWith(
            "Invalid definitions file "
                + file.toAbsolutePath()
                + ", line 26, field feature_views[0].features[1].dtype: unknown dtype 'Integer'; use"
                + " BYTES, STRING");
  }

  @Test
  void missingRequiredKeyNamesLineAndField() throws Exception {
    Path file = write(DRIVER_DEFINITIONS.replace("    timestamp_field: event_timestamp\n", ""));

    assertThatThrownBy(() -> DefinitionsFile.parse(file, "demo"))
        .isInstanceOf(DefinitionsFileException.class)
        .hasMessage(
            "Invalid definitions file "
                + file.toAbsolutePath()
                + ", line 6, field data_sources[0].timestamp_field: required key 'timestamp_field'"
                + " is missing")
        .satisfies(e -> assertThat(((DefinitionsFileException) e).line()).isEqualTo(6));
  }

  @Test
  void unknownReferencesAndKeysAreNamed() throws Exception {
    Path badEntity = write(DRIVER_DEFINITIONS.replace("entities: [driver]", "entities: [rider]"));
    assertThatThrownBy(() -> DefinitionsFile.parse(badEntity, "demo"))
        .hasMessageEndingWith(
            "line 20, field feature_views[0].entities[0]: unknown entity 'rider'; entities in this"
                + " file: [driver]");

    Path badKey = write(DRIVER_DEFINITIONS.replace("ttl: 1d", "time_to_live: 1d"));
    assertThatThrownBy(() -> DefinitionsFile.parse(badKey, "demo"))
        .hasMessageStartingWith(
            "Invalid definitions file "
                + badKey.toAbsolutePath()
                + ", line 22, field feature_views[0].time_to_live: unknown key 'time_to_live';"
                + " known keys: [");

    Path nearKey = write(DRIVER_DEFINITIONS.replace("ttl: 1d", "tll: 1d"));
    assertThatThrownBy(() -> DefinitionsFile.parse(nearKey, "demo"))
        .hasMessageContaining(
            "field feature_views[0].tll: unknown key 'tll' (did you mean 'ttl'?); known keys: [");

    Path badTtl = write(DRIVER_DEFINITIONS.replace("ttl: 1d", "ttl: 1 day"));
    assertThatThrownBy(() -> DefinitionsFile.parse(badTtl, "demo"))
        .hasMessageEndingWith(
            "line 22, field feature_views[0].ttl: invalid ttl '1 day'; use " + Ttl.ACCEPTED);
  }

  @Test
  void yamlSyntaxErrorNamesTheLine() throws Exception {
    Path file = write("entities:\n  - name: driver\n    value_type: [INT64\n");

    assertThatThrownBy(() -> DefinitionsFile.parse(file, "demo"))
        .isInstanceOf(DefinitionsFileException.class)
        .hasMessageStartingWith(
            "Invalid definitions file "
                + file.toAbsolutePath()
                + ", line 3, field (document): not valid YAML");
  }

  @Test
  void duplicateNamesAreRejected() throws Exception {
    Path file =
        write(
            "entities:\n  - {name: driver, value_type: INT64}\n  - {name: driver, value_type:"
                + " STRING}\n");

    assertThatThrownBy(() -> DefinitionsFile.parse(file, "demo"))
        .hasMessageEndingWith("line 3, field entities[1].name: duplicate entity name 'driver'");
  }
}
