package io.sluice.engine.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo folder holds its definitions twice: definitions.yaml for Sluice, driver_repo.py for
 * Feast (so that {@code feast apply} there keeps the demo's view). Every name, type and setting of
 * the first must be in the second. Feast cannot be installed here (no Python packages can be
 * fetched), so the Python file is checked as text, not run.
 */
class DemoDefinitionsTest {
  private static final Path DEMO = Path.of("../conf/demo");

  /** Sluice's dtype names → Feast's type names in feast.types. */
  private static final Map<String, String> FEAST_TYPES =
      Map.of("FLOAT", "Float32", "Float32", "Float32", "INT64", "Int64", "Int64", "Int64");

  @Test
  void feastsDefinitionsMatchSluices() throws Exception {
    JsonNode yaml =
        new ObjectMapper(new YAMLFactory()).readTree(DEMO.resolve("definitions.yaml").toFile());
    String python = Files.readString(DEMO.resolve("driver_repo.py")).replaceAll("\\s+", " ");
    for (JsonNode entity : yaml.get("entities")) {
      assertThat(python)
          .contains(
              "Entity(name=\""
                  + entity.get("name").asText()
                  + "\", join_keys=[\""
                  + entity.get("join_key").asText()
                  + "\"], value_type=ValueType."
                  + entity.get("value_type").asText()
                  + ")")
          .contains(
              "Field(name=\""
                  + entity.get("join_key").asText()
                  + "\", dtype="
                  + FEAST_TYPES.get(entity.get("value_type").asText())
                  + ")");
    }
    for (JsonNode source : yaml.get("data_sources")) {
      assertThat(python)
          .contains("name=\"" + source.get("name").asText() + "\"")
          .contains("path=\"" + source.get("path").asText() + "\"")
          .contains("timestamp_field=\"" + source.get("timestamp_field").asText() + "\"")
          .contains(
              "created_timestamp_column=\""
                  + source.get("created_timestamp_column").asText()
                  + "\"");
      source
          .get("field_mapping")
          .fields()
          .forEachRemaining(
              mapping ->
                  assertThat(python)
                      .contains(
                          "\"" + mapping.getKey() + "\": \"" + mapping.getValue().asText() + "\""));
    }
    for (JsonNode view : yaml.get("feature_views")) {
      assertThat(python)
          .contains("FeatureView( name=\"" + view.get("name").asText() + "\"")
          .contains("source=" + view.get("source").asText())
          .contains("online=" + (view.get("online").asBoolean() ? "True" : "False"));
      assertThat(view.get("ttl").asText()).isEqualTo("2d");
      assertThat(python).contains("ttl=timedelta(days=2)");
      for (JsonNode feature : view.get("features")) {
        String type = FEAST_TYPES.get(feature.get("dtype").asText());
        assertThat(type).as("Feast type of %s", feature).isNotNull();
        assertThat(python)
            .contains("Field(name=\"" + feature.get("name").asText() + "\", dtype=" + type + ")");
      }
    }
  }
}
