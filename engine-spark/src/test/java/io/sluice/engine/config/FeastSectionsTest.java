package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.common.config.FeastKeys;
import io.sluice.common.config.InvalidConfigException;
import io.sluice.online.redis.RedisOnlineStoreConfig;
import io.sluice.registry.RegistryConfig.SchemaMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every key Feast 0.66 accepts, section by section and type by type, loads in Sluice; a misspelt
 * key in each is an error that names the file, the section and the key meant.
 *
 * <p>The key lists are Feast's own (extracted from its config classes by {@code
 * tools/feast-config-keys.py}). So that this test does not only check the table against itself,
 * {@link #theTableHoldsTheKeysFeastDocuments} spells out, by hand, the keys of the sections Sluice
 * reads, as Feast 0.66's source has them.
 */
class FeastSectionsTest {
  private static final String REGISTRY =
      "registry: {registry_type: sql, path: \"sqlite:///r.db\"}\n";

  /** Values for the keys Sluice reads (the others are ignored, so any value does). */
  private static final Map<String, String> VALUES =
      Map.ofEntries(
          Map.entry("path", "data/online.db"),
          Map.entry("connection_string", "\"localhost:6390\""),
          Map.entry("redis_type", "redis"),
          Map.entry("key_ttl_seconds", "60"),
          Map.entry("skip_dedup", "false"),
          Map.entry("vector_enabled", "false"),
          Map.entry("enable_openai_compatible_store", "false"),
          Map.entry("partitions", "2"),
          Map.entry("spark_conf", "{spark.a: b}"),
          Map.entry("staging_location", "s3a://bucket/prefix"),
          Map.entry("region", "eu-west-1"),
          Map.entry("endpoint_url", "\"http://localhost:8000\""),
          Map.entry("tags", "{team: ml}"),
          Map.entry("online_write_batch_size", "10"),
          Map.entry("schema_mode", "auto"),
          Map.entry("purge_feast_metadata", "false"),
          Map.entry("enable_online_feature_view_versioning", "false"),
          Map.entry("image", "img"),
          Map.entry("model", "m"));

  @TempDir Path dir;

  record Case(String section, String type) {
    @Override
    public String toString() {
      return type == null ? section : section + " " + type;
    }
  }

  /** Every section and type Feast defines, but online stores Sluice does not write. */
  static Stream<Case> sections() {
    List<Case> cases = new ArrayList<>();
    for (String section : FeastKeys.sections()) {
      if (section.equals("online_store")) {
        cases.add(new Case(section, "sqlite"));
        cases.add(new Case(section, "redis"));
        cases.add(new Case(section, "dynamodb"));
      } else if (section.equals("registry")) {
        cases.add(new Case(section, "sql"));
      } else if (Set.of("offline_store", "batch_engine", "feature_server", "auth")
          .contains(section)) {
        for (String type : FeastKeys.types(section)) {
          // Feast picks oidc_client itself from an `oidc` section's keys; a file cannot name it.
          if (!type.equals("oidc_client")) {
            cases.add(new Case(section, type));
          }
        }
      } else {
        cases.add(new Case(section, null));
      }
    }
    return cases.stream();
  }

  private Path write(String yaml) throws Exception {
    return Files.writeString(dir.resolve("feature_store.yaml"), yaml);
  }

  /** The section with every key Feast has for it, each with a value Sluice accepts. */
  private static String everyKey(Case c) {
    StringBuilder yaml = new StringBuilder(c.section()).append(":\n");
    for (String key : new TreeSet<>(FeastKeys.keys(c.section(), c.type()).orElseThrow())) {
      String value =
          key.equals("type") ? "\"" + c.type() + "\"" : key.equals("registry_type") ? "sql" : null;
      if (value == null && c.section().equals("registry") && key.equals("path")) {
        value = "\"sqlite:///r.db\"";
      }
      if (value == null) {
        value = VALUES.getOrDefault(key, "ignored-value");
      }
      yaml.append("  \"").append(key).append("\": ").append(value).append('\n');
    }
    return yaml.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sections")
  void everyFeastKeyOfTheSectionLoads(Case c) throws Exception {
    String head = "project: p\n" + (c.section().equals("registry") ? "" : REGISTRY);
    RepoConfig config = RepoConfig.load(write(head + everyKey(c)));
    assertThat(config.project()).isEqualTo("p");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sections")
  void aMisspeltKeyOfTheSectionIsNamed(Case c) throws Exception {
    String longKey =
        new TreeSet<>(FeastKeys.keys(c.section(), c.type()).orElseThrow())
            .stream().filter(k -> !k.equals("type") && k.length() > 4).findFirst().orElse(null);
    // Feast's section has only `type`: any other key is unknown
    String key = longKey == null ? "types" : longKey;
    String typo = key.substring(0, key.length() - 1) + "x";
    String head = "project: p\n" + (c.section().equals("registry") ? "" : REGISTRY);
    String section = c.section() + ":\n";
    if (c.type() != null && !c.section().equals("registry")) {
      section += "  type: \"" + c.type() + "\"\n";
    }
    if (c.section().equals("registry")) {
      section += "  registry_type: sql\n  path: \"sqlite:///r.db\"\n";
    }
    if (c.toString().equals("batch_engine spark_application")) {
      section += "  image: img\n";
    }
    if (c.section().equals("embedding_model")) {
      section += "  model: m\n";
    }
    Path file = write(head + section + "  " + typo + ": 1\n");
    String expected = key.equals("types") ? "unknown key 'typex'" : "unknown key '" + typo + "'";
    assertThatThrownBy(() -> RepoConfig.load(file))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("Invalid " + c.section() + " in " + file + ": ")
        .hasMessageContaining(expected)
        .satisfies(
            e -> {
              if (!key.equals("types")) {
                assertThat(e).hasMessageContaining("(did you mean '" + key + "'?)");
              }
            });
  }

  @Test
  void everyTopLevelKeyLoads() throws Exception {
    RepoConfig config =
        RepoConfig.load(
            write(
                """
                project: p
                project_description: drivers
                provider: local
                registry: {registry_type: sql, path: "sqlite:///r.db"}
                online_store: {type: sqlite, path: data/online.db}
                auth: {type: no_auth}
                offline_store: {type: file}
                batch_engine: {type: local}
                feature_server: {type: local, enabled: false}
                embedding_model: {model: all-MiniLM-L6-v2}
                flags: {alpha_features: true}
                repo_path: .
                entity_key_serialization_version: 3
                coerce_tz_aware: true
                materialization: {online_write_batch_size: 100}
                openlineage: {enabled: false}
                mlflow: {enabled: false}
                data_quality_monitoring: {auto_baseline: true}
                sluice: {write_retry_seconds: 30}
                """));
    assertThat(config.batchEngine().writeBatchSize()).isEqualTo(100);
    assertThat(FeastKeys.keys("", null).orElseThrow())
        .containsAll(
            List.of(
                "project",
                "registry",
                "online_store",
                "offline_store",
                "batch_engine",
                "materialization",
                "openlineage",
                "auth",
                "feature_server",
                "flags"));
    assertThatThrownBy(() -> RepoConfig.load(write("project: p\n" + REGISTRY + "regsitry: {}\n")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("unknown top-level key 'regsitry' (did you mean 'registry'?)")
        .hasMessageContaining("Sluice's own settings go under `sluice:`");
  }

  /** The keys Feast 0.66's source gives the sections Sluice reads, written out by hand. */
  @Test
  void theTableHoldsTheKeysFeastDocuments() {
    assertThat(FeastKeys.keys("online_store", "sqlite").orElseThrow())
        .containsExactlyInAnyOrder(
            "type",
            "path",
            "vector_enabled",
            "similarity",
            "text_search_enabled",
            "enable_openai_compatible_store");
    assertThat(FeastKeys.keys("online_store", "redis").orElseThrow())
        .containsExactlyInAnyOrder(
            "type",
            "redis_type",
            "sentinel_master",
            "connection_string",
            "key_ttl_seconds",
            "full_scan_for_deletion",
            "skip_dedup");
    assertThat(FeastKeys.keys("batch_engine", "spark.engine").orElseThrow())
        .containsExactlyInAnyOrder(
            "type", "spark_conf", "staging_location", "region", "partitions");
    assertThat(FeastKeys.keys("materialization", null).orElseThrow())
        .containsExactlyInAnyOrder("pull_latest_features", "online_write_batch_size");
    assertThat(FeastKeys.keys("registry", "sql").orElseThrow())
        .containsExactlyInAnyOrder(
            "registry_type",
            "registry_store_type",
            "path",
            "cache_ttl_seconds",
            "cache_mode",
            "s3_additional_kwargs",
            "purge_feast_metadata",
            "enable_online_feature_view_versioning",
            "mcp",
            "read_path",
            "sqlalchemy_config_kwargs",
            "thread_pool_executor_worker_count",
            "schema_mode");
    assertThat(FeastKeys.keys("online_store", "dynamodb").orElseThrow())
        .contains("table_name_template", "endpoint_url", "region", "batch_size", "tags");
    assertThat(FeastKeys.types("batch_engine"))
        .contains(
            "local",
            "spark.engine",
            "ray.engine",
            "snowflake.engine",
            "lambda",
            "k8s",
            "flink.engine",
            "spark_application");
  }

  @Test
  void keysThatChangeWhatIsWrittenAreHonouredOrRefused() throws Exception {
    String head = "project: p\n";
    RepoConfig skip =
        RepoConfig.load(
            write(
                head
                    + REGISTRY
                    + "online_store: {type: redis, connection_string: \"h:6379\","
                    + " skip_dedup: true}\n"));
    assertThat(((RedisOnlineStoreConfig) skip.onlineStore()).skipDedup()).isTrue();
    assertThat(skip.onlineStore().skipsNewerOnlyCheck()).isTrue();
    Path vectors = write(head + REGISTRY + "online_store: {type: sqlite, vector_enabled: true}\n");
    assertThatThrownBy(() -> RepoConfig.load(vectors))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("Invalid online_store.vector_enabled in " + vectors)
        .hasMessageContaining("Sluice does not write");
    RepoConfig registry =
        RepoConfig.load(
            write(
                head
                    + "registry: {registry_type: sql, path: \"sqlite:///r.db\","
                    + " enable_online_feature_view_versioning: true, purge_feast_metadata: true,"
                    + " schema_mode: verify, read_path: \"sqlite:///replica.db\"}\n"));
    assertThat(registry.registry().onlineVersioning()).isTrue();
    assertThat(registry.registry().purgeFeastMetadata()).isTrue();
    assertThat(registry.registry().schemaMode()).isEqualTo(SchemaMode.VERIFY);
    Path badMode =
        write(head + "registry: {registry_type: sql, path: \"sqlite:///r.db\", schema_mode: x}\n");
    assertThatThrownBy(() -> RepoConfig.load(badMode))
        .hasMessageStartingWith("Invalid registry.schema_mode in " + badMode)
        .hasMessageEndingWith("'x' is not one of Feast's: auto, verify, skip");
    Path oidcClient = write(head + REGISTRY + "auth: {type: oidc_client}\n");
    assertThatThrownBy(() -> RepoConfig.load(oidcClient))
        .hasMessageStartingWith("Invalid auth.type in " + oidcClient)
        .hasMessageContaining("'oidc_client' is not one Feast accepts");
    Path postgresOnline = write(head + REGISTRY + "online_store: {type: postgres}\n");
    assertThatThrownBy(() -> RepoConfig.load(postgresOnline))
        .hasMessageContaining(
            "'postgres' is one of Feast's online stores, and not one Sluice writes");
  }
}
