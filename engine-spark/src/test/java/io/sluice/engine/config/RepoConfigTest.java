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
            new BatchEngineConfig(
                "local", 0, 1000, Duration.ofSeconds(60), StagingConfig.none(), null, Map.of()));
  }

  @Test
  void registryUrlsAreReadFromTheFileWithVariablesAndPercentEncoding() throws Exception {
    RepoConfig sqlite =
        load("project: p\nregistry: {registry_type: sql, path: \"sqlite:///data/r.db\"}\n");
    // Feast's rule (SQLAlchemy's): a relative SQLite URL resolves against the working directory.
    assertThat(sqlite.registry().jdbcUrl())
        .isEqualTo("jdbc:sqlite:" + Path.of("").toAbsolutePath().resolve("data/r.db"));

    RepoConfig postgres =
        load(
            "project: p\nregistry:\n  registry_type: sql\n"
                + "  path: postgresql://feast:s%40cret@db:5432/feast\n");
    assertThat(postgres.registry().jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/feast");
    assertThat(postgres.registry().user()).isEqualTo("feast");
    assertThat(postgres.registry().password()).isEqualTo("s@cret");
  }

  @Test
  void stagingSettingsComeFromBatchEngineAndTheSluiceSection() throws Exception {
    RepoConfig config =
        load(
            """
            project: p
            registry: {registry_type: sql, path: "sqlite:///r.db"}
            batch_engine: {type: spark.engine, staging_location: "s3a://b/stages"}
            sluice: {staging_keep: true, staging_retention_hours: 2}
            """);
    assertThat(config.batchEngine().staging())
        .isEqualTo(new StagingConfig("s3a://b/stages", true, Duration.ofHours(2)));
    assertThatThrownBy(
            () ->
                load(
                    "project: p\nregistry: {registry_type: sql, path: \"sqlite:///r.db\"}\n"
                        + "sluice: {staging_retention_hours: 0}\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("staging_retention_hours");
  }

  @Test
  void everyBatchEngineKeyMapsToItsField() throws Exception {
    RepoConfig config =
        load(
            """
            project: p
            registry: {registry_type: sql, path: "sqlite:///r.db"}
            online_store: {type: redis, connection_string: "localhost:6390"}
            offline_store:
              type: spark
              spark_conf: {spark.sql.session.timeZone: UTC, spark.executor.memory: 1g}
            entity_key_serialization_version: 2
            batch_engine:
              type: spark.engine
              partitions: 16
              staging_location: s3a://bucket/staging
              region: eu-west-1
              spark_conf:
                spark.executor.memory: 2g
                spark.sql.shuffle.partitions: 64
            materialization: {online_write_batch_size: 250, pull_latest_features: true}
            sluice: {write_retry_seconds: 5, redis: {keys_per_script_call: 1}}
            """);
    assertThat(config.keyFormat()).isEqualTo(EntityKeyFormat.V2);
    assertThat(config.onlineStore()).isInstanceOf(RedisOnlineStoreConfig.class);
    assertThat(((RedisOnlineStoreConfig) config.onlineStore()).keysPerScriptCall()).isEqualTo(1);
    assertThat(config.batchEngine())
        .isEqualTo(
            new BatchEngineConfig(
                "spark.engine",
                16,
                250,
                Duration.ofSeconds(5),
                new StagingConfig("s3a://bucket/staging", false, StagingConfig.DEFAULT_RETENTION),
                "eu-west-1",
                Map.of(
                    "spark.executor.memory",
                    "2g",
                    "spark.sql.shuffle.partitions",
                    "64",
                    "spark.sql.session.timeZone",
                    "UTC")));
  }

  @Test
  void sparkEngineKeysKeepTheirMeaningUnderAnyEngineTypeThatHasThem() throws Exception {
    String head = "project: p\nregistry: {registry_type: sql, path: \"sqlite:///r.db\"}\n";
    RepoConfig application =
        load(
            head
                + "batch_engine: {type: spark_application, image: img, staging_location: s3a://b/s,"
                + " spark_conf: {spark.a: b}, executor_instances: 4}\n");
    assertThat(application.batchEngine().sparkConf()).isEqualTo(Map.of("spark.a", "b"));
    assertThat(application.batchEngine().stagingLocation()).isEqualTo("s3a://b/s");
    assertThat(load(head + "batch_engine: local\n").batchEngine().type()).isEqualTo("local");
    assertThat(load(head + "batch_engine: {type: local, backend: polars}\n").batchEngine())
        .isEqualTo(BatchEngineConfig.defaults());
    // Feast refuses a mapping without a type; Sluice reads it as spark.engine and warns.
    assertThat(load(head + "batch_engine: {partitions: 3}\n").batchEngine().partitions())
        .isEqualTo(3);
    assertThat(
            load(head + "batch_engine_config: {type: spark.engine, partitions: 5}\n")
                .batchEngine()
                .partitions())
        .isEqualTo(5);
  }

  @Test
  void theLegacySluiceTypeStillLoadsWithItsOwnKeys() throws Exception {
    String head = "project: p\nregistry: {registry_type: sql, path: \"sqlite:///r.db\"}\n";
    BatchEngineConfig legacy =
        load(head
                + "batch_engine: {type: sluice, partitions: 2, write_batch_size: 300,"
                + " write_retry_seconds: 7}\n")
            .batchEngine();
    assertThat(legacy.writeBatchSize()).isEqualTo(300);
    assertThat(legacy.writeRetryBudget()).isEqualTo(Duration.ofSeconds(7));
    assertThat(legacy.partitions()).isEqualTo(2);
    assertThatThrownBy(
            () ->
                load(
                    head
                        + "batch_engine: {type: sluice, write_batch_size: 300}\n"
                        + "materialization: {online_write_batch_size: 10}\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("batch_engine.write_batch_size")
        .hasMessageEndingWith("is also set as materialization.online_write_batch_size; keep one");
  }

  @Test
  void sluiceKeysInFeastSectionsAreRefusedWithTheirNewPlace() {
    String head = "project: p\nregistry: {registry_type: sql, path: \"sqlite:///r.db\"}\n";
    assertThatThrownBy(
            () -> load(head + "batch_engine: {type: spark.engine, write_batch_size: 100}\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("Invalid batch_engine.write_batch_size in ")
        .hasMessageEndingWith(
            "Feast forbids extra keys in batch_engine, so Feast could not load this file; move it"
                + " to materialization.online_write_batch_size");
    assertThatThrownBy(
            () -> load(head + "batch_engine: {type: spark.engine, write_retry_seconds: 5}\n"))
        .hasMessageEndingWith("move it to sluice.write_retry_seconds");
    assertThatThrownBy(() -> load(head + "batch_engine: {type: sluicy}\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("Invalid batch_engine.type in ")
        .hasMessageContaining("'sluicy' is neither a Feast engine type (local, ")
        .hasMessageContaining("so Feast cannot load this file");
    assertThatThrownBy(() -> load(head + "sluice: {write_retry_secs: 5}\n"))
        .hasMessageStartingWith("Invalid sluice in ")
        .hasMessageContaining(
            "unknown key 'write_retry_secs' (did you mean 'write_retry_seconds'?)");
  }

  @Test
  void badBatchEngineValuesAreNamed() {
    String head = "project: p\nregistry: {registry_type: sql, path: \"sqlite:///r.db\"}\n";
    assertThatThrownBy(() -> load(head + "batch_engine: {type: spark.engine, partitions: -1}\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("Invalid batch_engine.partitions in ")
        .hasMessageEndingWith(": must be >= 0, got -1");
    assertThatThrownBy(() -> load(head + "batch_engine: {type: spark.engine, partitons: 4}\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("Invalid batch_engine in ")
        .hasMessageContaining(
            "unknown key 'partitons' (did you mean 'partitions'?): Feast 0.66.0 does not accept"
                + " it in batch_engine of type 'spark.engine', so Sluice refuses it too; known"
                + " keys: [partitions, region, spark_conf, staging_location, type]");
    assertThatThrownBy(() -> load(head + "materialization: {online_write_batch_size: lots}\n"))
        .hasMessageStartingWith("Invalid materialization.online_write_batch_size in ")
        .hasMessageEndingWith(": must be a whole number, got: \"lots\"");
    assertThatThrownBy(() -> load(head + "entity_key_serialization_version: 1\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("Invalid entity_key_serialization_version: 1");
  }

  @Test
  void aRelativeRegistryFoundOnlyBesideTheFileIsUsedWhenTheWorkingDirectoryHasNone()
      throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(repo.resolve("data/registry.db"), "");
    Path file =
        Files.writeString(
            repo.resolve("feature_store.yaml"),
            "project: p\nregistry: {registry_type: sql, path: \"sqlite:///data/registry.db\"}\n");
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    assertThat(RepoConfig.load(file, elsewhere).registry().jdbcUrl())
        .isEqualTo("jdbc:sqlite:" + repo.resolve("data/registry.db"));
    // An absolute URL is never redirected, even to a same-named file beside the yaml.
    Path absolute =
        Files.writeString(
            repo.resolve("absolute.yaml"),
            "project: p\nregistry: {registry_type: sql, path: \"sqlite:///"
                + elsewhere.resolve("data/registry.db")
                + "\"}\n");
    assertThat(RepoConfig.load(absolute, elsewhere).registry().jdbcUrl())
        .isEqualTo("jdbc:sqlite:" + elsewhere.resolve("data/registry.db"));
    // When the working directory has one, Feast's rule decides.
    Files.createDirectories(elsewhere.resolve("data"));
    Files.writeString(elsewhere.resolve("data/registry.db"), "");
    assertThat(RepoConfig.load(file, elsewhere).registry().jdbcUrl())
        .isEqualTo("jdbc:sqlite:" + elsewhere.resolve("data/registry.db"));
    // With no registry anywhere, the working directory's is created later, as Feast does.
    Files.delete(repo.resolve("data/registry.db"));
    Files.delete(elsewhere.resolve("data/registry.db"));
    assertThat(RepoConfig.load(file, elsewhere).registry().jdbcUrl())
        .isEqualTo("jdbc:sqlite:" + elsewhere.resolve("data/registry.db"));
  }
}
