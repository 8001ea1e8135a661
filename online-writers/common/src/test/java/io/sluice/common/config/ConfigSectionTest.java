package io.sluice.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSectionTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path FILE = Path.of("/repo/feature_store.yaml");

  private static ConfigSection section(String yaml) throws Exception {
    JsonNode node = YAML.readTree(yaml);
    return ConfigSection.of(FILE, "batch_engine", node);
  }

  @Test
  void absentSectionGivesEveryDefault() {
    ConfigSection absent = ConfigSection.of(FILE, "batch_engine", null);

    assertThat(absent.isPresent()).isFalse();
    assertThat(absent.keys()).isEmpty();
    assertThat(absent.text("type", "sluice")).isEqualTo("sluice");
    assertThat(absent.integer("partitions", 0, 0, 10)).isZero();
    assertThat(absent.bool("flag", true)).isTrue();
    assertThat(absent.stringMap("spark_conf")).isEmpty();
    assertThat(absent.requireKnownKeys(List.of())).isSameAs(absent);
  }

  @Test
  void typedValuesAreRead() throws Exception {
    ConfigSection section =
        section(
            "type: spark.engine\npartitions: 8\nflag: false\nbig: 5000000000\n"
                + "spark_conf: {spark.a: 1, spark.b: x}\nnothing: null\n");

    assertThat(section.keys())
        .containsExactly("type", "partitions", "flag", "big", "spark_conf", "nothing");
    assertThat(section.text("type", null)).isEqualTo("spark.engine");
    assertThat(section.text("partitions", null)).isEqualTo("8");
    assertThat(section.integer("partitions", 0, 0, 100)).isEqualTo(8);
    assertThat(section.longInteger("big", 0, 0, Long.MAX_VALUE)).isEqualTo(5_000_000_000L);
    assertThat(section.bool("flag", true)).isFalse();
    assertThat(section.stringMap("spark_conf")).isEqualTo(Map.of("spark.a", "1", "spark.b", "x"));
    assertThat(section.optionalText("nothing")).isEmpty();
    assertThat(section.shorthand()).isEmpty();
  }

  @Test
  void aPlainStringIsFeastsShorthand() throws Exception {
    ConfigSection section = section("spark.engine");

    assertThat(section.isPresent()).isTrue();
    assertThat(section.shorthand()).hasValue("spark.engine");
    assertThat(section.keys()).isEmpty();
  }

  @Test
  void scalarsAreReadAsLaxlyAsFeastsPydanticDoes() throws Exception {
    assertThat(section("partitions: \"16\"").integer("partitions", 0, 0, 100)).isEqualTo(16);
    assertThat(section("flag: \"true\"").bool("flag", false)).isTrue();
    assertThat(section("flag: \"off\"").bool("flag", true)).isFalse();
    assertThat(section("flag: 1").bool("flag", false)).isTrue();
    assertThat(section("flag: 0").bool("flag", true)).isFalse();
    assertThatThrownBy(() -> section("partitions: \"16x\"").integer("partitions", 0, 0, 100))
        .hasMessageEndingWith(": must be a whole number, got: \"16x\"");
    assertThatThrownBy(() -> section("flag: 2").bool("flag", false))
        .hasMessageEndingWith(": must be true or false, got: 2");
  }

  @Test
  void badValuesNameTheFileSectionAndKey() throws Exception {
    assertThatThrownBy(() -> section("partitions: -1").integer("partitions", 0, 0, 100))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Invalid batch_engine.partitions in /repo/feature_store.yaml: must be between 0 and"
                + " 100, got -1");
    assertThatThrownBy(() -> section("partitions: 1.5").integer("partitions", 0, 0, 100))
        .hasMessage(
            "Invalid batch_engine.partitions in /repo/feature_store.yaml: must be a whole number,"
                + " got: 1.5");
    assertThatThrownBy(
            () -> section("partitions: -1").integer("partitions", 0, 0, Integer.MAX_VALUE))
        .hasMessageEndingWith(": must be >= 0, got -1");
    assertThatThrownBy(() -> section("flag: yes please").bool("flag", false))
        .hasMessageEndingWith(": must be true or false, got: \"yes please\"");
    assertThatThrownBy(() -> section("type: [a, b]").text("type", null))
        .hasMessageEndingWith(": must be a single value, got: [\"a\",\"b\"]");
    assertThatThrownBy(() -> section("spark_conf: 3").stringMap("spark_conf"))
        .hasMessageEndingWith(": must be a mapping, got: 3");
    assertThatThrownBy(() -> ConfigSection.of(FILE, "batch_engine", YAML.readTree("[1, 2]")))
        .hasMessage(
            "Invalid batch_engine in /repo/feature_store.yaml: must be a mapping of keys to"
                + " values, got: [1,2]");
  }

  @Test
  void theTopLevelIsNamedByTheFileAlone() throws Exception {
    ConfigSection top = ConfigSection.topLevel(FILE, YAML.readTree("project: p\nversion: x\n"));

    assertThatThrownBy(() -> top.integer("version", 3, 0, 10))
        .hasMessage(
            "Invalid version in /repo/feature_store.yaml: must be a whole number, got: \"x\"");
    assertThatThrownBy(() -> top.requireKnownKeys(List.of("project")))
        .hasMessage(
            "Invalid /repo/feature_store.yaml: unknown key 'version'; known keys: [project]");
  }

  @Test
  void secretValuesNeverAppearInMessages() throws Exception {
    ConfigSection section = section("password: [hunter2]").withSecrets("password");

    assertThatThrownBy(() -> section.text("password", null))
        .hasMessageEndingWith(": must be a single value, got: ****")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void unknownKeysSuggestTheNearestKnownOne() throws Exception {
    List<String> known = List.of("partitions", "spark_conf", "staging_location", "type");

    assertThatThrownBy(() -> section("partitons: 4").requireKnownKeys(known))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "Invalid batch_engine in /repo/feature_store.yaml: unknown key 'partitons' (did you"
                + " mean 'partitions'?); known keys: [partitions, spark_conf, staging_location,"
                + " type]");
    assertThatThrownBy(() -> section("staging: x").requireKnownKeys(known))
        .hasMessageContaining("unknown key 'staging' (did you mean 'staging_location'?)");
    assertThatThrownBy(() -> section("colour: red").requireKnownKeys(known))
        .hasMessageContaining("unknown key 'colour'; known keys: [");
  }

  @Test
  void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
    assertThat(ConfigSection.editDistance("", "abc")).isEqualTo(3);
    assertThat(ConfigSection.editDistance("kitten", "sitting")).isEqualTo(3);
    assertThat(ConfigSection.editDistance("regsitry", "registry")).isEqualTo(2);
    assertThat(ConfigSection.nearest("typ", List.of("type", "path"))).hasValue("type");
    assertThat(ConfigSection.nearest("zzzzzz", List.of("type", "path"))).isEmpty();
  }
}
