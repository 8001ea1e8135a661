package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.common.config.FeastKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code feature_store.yaml} under {@code conf/} loads in Sluice and keeps to Feast 0.66's
 * rules for it, so Feast's own CLI and SDK load it too: a built-in {@code batch_engine.type} (or
 * none), and in each of Feast's sections that forbid extra keys only Feast's keys for its type.
 * Feast itself is not installed here (no Python packages can be fetched), so its rules are checked
 * through the key table extracted from its source.
 */
class ConfExamplesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Stream<Path> examples() throws Exception {
    try (Stream<Path> files = Files.walk(Path.of("../conf"))) {
      List<Path> list =
          files.filter(f -> f.getFileName().toString().equals("feature_store.yaml")).toList();
      assertThat(list).hasSizeGreaterThanOrEqualTo(2);
      return list.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void loadsInSluiceAndKeepsToFeastsRules(Path example) throws Exception {
    String text = Files.readString(example);
    // ${VAR} references need values to load; Feast expands them the same way.
    for (String variable :
        List.of("REGISTRY_PASSWORD", "REDIS_PASSWORD", "S3_ACCESS_KEY", "S3_SECRET_KEY")) {
      text = text.replace("${" + variable + "}", "secret");
    }
    Path copy = Files.createTempDirectory("conf").resolve("feature_store.yaml");
    Files.writeString(copy, text);
    RepoConfig config = RepoConfig.load(copy);
    assertThat(config.project()).isNotBlank();

    JsonNode root = YAML.readTree(text);
    List<String> problems = new ArrayList<>();
    root.fieldNames()
        .forEachRemaining(
            key -> {
              if (!FeastKeys.keys("", null).orElseThrow().contains(key) && !key.equals("sluice")) {
                problems.add("top-level key " + key + " is neither Feast's nor sluice");
              }
            });
    JsonNode engine = root.get("batch_engine");
    if (engine != null) {
      String type = engine.isTextual() ? engine.asText() : engine.path("type").asText(null);
      if (type == null || !FeastKeys.types("batch_engine").contains(type)) {
        problems.add("batch_engine.type " + type + " is not a built-in Feast type");
      }
    }
    for (Map.Entry<String, String> typed :
        Map.of(
                "online_store", "sqlite",
                "offline_store", "dask",
                "batch_engine", "local",
                "registry", "sql")
            .entrySet()) {
      JsonNode section = root.get(typed.getKey());
      if (section == null || !section.isObject()) {
        continue;
      }
      String type =
          typed.getKey().equals("registry") ? "sql" : section.path("type").asText(typed.getValue());
      Set<String> allowed = FeastKeys.keys(typed.getKey(), type).orElseThrow();
      section
          .fieldNames()
          .forEachRemaining(
              key -> {
                if (!allowed.contains(key)) {
                  problems.add(typed.getKey() + "." + key + " is not a Feast key of " + type);
                }
              });
    }
    assertThat(problems).isEmpty();
  }
}
