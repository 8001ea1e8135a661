package io.sluice.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.common.config.InvalidConfigException;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.redis.RedisOnlineStoreConfig;
import io.sluice.online.sqlite.SqliteOnlineStoreConfig;
import io.sluice.registry.RegistryDialect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoConfigTest {
  @TempDir Path dir;

  private RepoConfig load(String yaml) throws Exception {
    return RepoConfig.load(Files.writeString(dir.resolve("feature_store.yaml"), yaml));
  }

  @Test
  void defaults() throws Exception {
    RepoConfig config =
        load("project: p\nregistry:\n  registry_type: sql\n  path: sqlite:///data/registry.db\n");
    assertThat(config.project()).isEqualTo("p");
    assertThat(config.registry().dialect()).isEqualTo(RegistryDialect.SQLITE);
    assertThat(config.onlineStore())
        .isEqualTo(new SqliteOnlineStoreConfig(dir.resolve("data/online.db").toString()));
    assertThat(config.keyFormat()).isEqualTo(EntityKeyFormat.V3);
    assertThat(config.batchEngine()).isEqualTo(BatchEngineConfig.defaults());
    assertThat(BatchEngineConfig.defaults())
        .isEqualTo(
            new BatchEngineConfig("sluice", 0, 1000, Duration.ofSeconds(60), null, null, Map.of()));
  }

  @Test
  void registryUrlsAreReadFromTheFileWithVariablesAndPercentEncoding() throws Exception {
    RepoConfig sqlite =
        load("project: p\nregistry: {registry_type: sql, path: \"sqlite:///data/r.db\"}\n");
    assertThat(sqlite.registry().jdbcUrl())
        .isEqualTo("jdbc:sqlite:" + dir.toAbsolutePath().resolve("data/r.db"));

    RepoConfig postgres =
        load(
            "project: p\nregistry:\n  registry_type: sql\n"
                + "  path: postgresql://feast:s%40cret@db:5432/feast\n");
    assertThat(postgres.registry().jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/feast");
    assertThat(postgres.registry().user()).isEqualTo("feast");
    assertThat(postgres.registry().password()).isEqualTo("s@cret");
  }

  @Test
  void everyBatchEngineKeyMapsToItsField() throws Exception {
    RepoConfig config =
        load(
            """
            project: p
            registry: {registry_type: sql, path: "sqlite:///r.db"}
            online_store: {type: redis, connection_string: "localhost:6390"}
            entity_key_serialization_version: 2
            batch_engine:
              type: spark.engine
              partitions: 16
              write_batch_size: 250
              write_retry_seconds: 5
              staging_location: s3a://bucket/staging
              region: eu-west-1
              spark_conf:
                spark.executor.memory: 2g
                spark.sql.shuffle.partitions: 64
            """);
    assertThat(config.keyFormat()).isEqualTo(EntityKeyFormat.V2);
    assertThat(config.onlineStore()).isInstanceOf(RedisOnlineStoreConfig.class);
    assertThat(config.batchEngine())
        .isEqualTo(
            new BatchEngineConfig(
                "spark.engine",
                16,
                250,
                Duration.ofSeconds(5),
                "s3a://bucket/staging",
                "eu-west-1",
                Map.of("spark.executor.memory", "2g", "spark.sql.shuffle.partitions", "64")));
  }

  @Test
  void badBatchEngineValuesAreNamed() {
    String head = "project: p\nregistry: {registry_type: sql, path: \"sqlite:///r.db\"}\n";
    assertThatThrownBy(() -> load(head + "batch_engine: {partitions: -1}\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("Invalid batch_engine.partitions in ")
        .hasMessageEndingWith(": must be >= 0, got -1");
    assertThatThrownBy(() -> load(head + "batch_engine: {partitons: 4}\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("Invalid batch_engine in ")
        .hasMessageEndingWith(
            "unknown key 'partitons' (did you mean 'partitions'?); known keys: [partitions, region,"
                + " spark_conf, staging_location, type, write_batch_size, write_retry_seconds]");
    assertThatThrownBy(() -> load(head + "batch_engine: {write_batch_size: lots}\n"))
        .hasMessageStartingWith("Invalid batch_engine.write_batch_size in ")
        .hasMessageEndingWith(": must be a whole number, got: \"lots\"");
    assertThatThrownBy(() -> load(head + "entity_key_serialization_version: 1\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("Invalid entity_key_serialization_version: 1");
  }
}
