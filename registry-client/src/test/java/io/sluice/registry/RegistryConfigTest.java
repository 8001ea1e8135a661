package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.InvalidConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {
  private static final Path BASE = Path.of("/repo/feature_repo");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void relativeSqlitePathResolvesAgainstTheYamlFolder() {
    RegistryConfig config = RegistryConfig.fromUrl("sqlite:///data/registry.db", BASE);

    assertThat(config.dialect()).isEqualTo(RegistryDialect.SQLITE);
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:sqlite:/repo/feature_repo/data/registry.db");
    assertThat(config.user()).isNull();
    assertThat(config.password()).isNull();
  }

  @Test
  void absoluteSqlitePathHasFourSlashes() {
    assertThat(RegistryConfig.fromUrl("sqlite:////var/lib/registry.db", BASE).jdbcUrl())
        .isEqualTo("jdbc:sqlite:/var/lib/registry.db");
  }

  @Test
  void postgresqlUrlsWithAnyDriverBecomeJdbcWithDecodedCredentials() {
    for (String scheme : new String[] {"postgresql", "postgresql+psycopg", "postgresql+psycopg2"}) {
      RegistryConfig config =
          RegistryConfig.fromUrl(scheme + "://feast:p%40ss%2Fw%3Ard@db.internal:5433/feast", BASE);

      assertThat(config.dialect()).isEqualTo(RegistryDialect.POSTGRESQL);
      assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/feast");
      assertThat(config.user()).isEqualTo("feast");
      assertThat(config.password()).isEqualTo("p@ss/w:rd");
    }
  }

  @Test
  void defaultPortsAndSslModeCarryOver() {
    assertThat(RegistryConfig.fromUrl("postgresql://u:p@h/db?sslmode=require", BASE).jdbcUrl())
        .isEqualTo("jdbc:postgresql://h:5432/db?sslmode=require");
    assertThat(RegistryConfig.fromUrl("mysql://u:p@h/db", BASE).jdbcUrl())
        .isEqualTo("jdbc:mariadb://h:3306/db");
  }

  @Test
  void mysqlUrlsUseTheMariaDbDriver() {
    RegistryConfig config =
        RegistryConfig.fromUrl("mysql+pymysql://root:secret@127.0.0.1:3307/reg", BASE);

    assertThat(config.dialect()).isEqualTo(RegistryDialect.MYSQL);
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:3307/reg");
    assertThat(config.user()).isEqualTo("root");
    assertThat(config.password()).isEqualTo("secret");
  }

  @Test
  void passwordNeverAppearsInToStringOrErrors() {
    RegistryConfig config = RegistryConfig.fromUrl("postgresql://u:hunter2@h:1/db", BASE);

    assertThat(config.toString()).doesNotContain("hunter2").contains("password=***");
    assertThat(config.describe()).isEqualTo("jdbc:postgresql://h:1/db as u");
    assertThatThrownBy(() -> RegistryConfig.fromUrl("oracle://u:hunter2@h:1/db", BASE))
        .isInstanceOf(RegistryConfigurationException.class)
        .hasMessage(
            "Invalid registry path 'oracle://u:***@h:1/db': unsupported database 'oracle';"
                + " Sluice supports sqlite://, postgresql:// and mysql:// registries")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void badUrlsAreRejectedWithWhatToDo() {
    assertThatThrownBy(() -> RegistryConfig.fromUrl("registry.db", BASE))
        .isInstanceOf(RegistryConfigurationException.class)
        .hasMessage("Invalid registry path 'registry.db': expected <dialect>://…");
    assertThatThrownBy(() -> RegistryConfig.fromUrl("sqlite://", BASE))
        .hasMessageContaining("a SQLite registry needs a file: sqlite:///relative/registry.db");
    assertThatThrownBy(() -> RegistryConfig.fromUrl("postgresql+asyncpg://u:p@h/db", BASE))
        .hasMessageStartingWith(
            "Invalid registry path 'postgresql+asyncpg://u:***@h/db': unknown driver '+asyncpg'");
    assertThatThrownBy(() -> RegistryConfig.fromUrl("postgresql://u:p@h:5432", BASE))
        .hasMessageContaining("expected exactly one database name after the host");
    assertThatThrownBy(() -> RegistryConfig.fromUrl("postgresql://u:p@h/db?pool=1", BASE))
        .hasMessageContaining("unsupported parameter 'pool'");
    assertThatThrownBy(() -> RegistryConfig.fromUrl("postgresql://u:p w@h/db", BASE))
        .hasMessageContaining("percent-encode special characters");
  }

  @Test
  void fileRegistryStringAsksForTheSqlRegistry() throws Exception {
    JsonNode section = YAML.readTree("data/registry.db");

    assertThatThrownBy(
            () -> RegistryConfig.fromSection(ConfigSection.of(null, "registry", section), BASE))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith(
            "Invalid registry: 'data/registry.db' is Feast's file registry, and Sluice needs"
                + " the SQL registry; set `registry: {registry_type: sql, path: <SQLAlchemy URL>}`");
  }

  @Test
  void unknownRegistryTypeIsRejected() throws Exception {
    JsonNode section = YAML.readTree("registry_type: remote\npath: localhost:6570\n");

    assertThatThrownBy(
            () -> RegistryConfig.fromSection(ConfigSection.of(null, "registry", section), BASE))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith(
            "Invalid registry.registry_type: 'remote' is not supported: Sluice supports only"
                + " Feast's SQL registry; set `registry_type: sql`");
  }

  @Test
  void unknownKeysInTheRegistrySectionAreReported() throws Exception {
    JsonNode section = YAML.readTree("registry_type: sql\npath: sqlite:///r.db\ncache_ttl: 60\n");

    assertThatThrownBy(
            () -> RegistryConfig.fromSection(ConfigSection.of(null, "registry", section), BASE))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith(
            "Invalid registry: unknown key 'cache_ttl' (did you mean 'cache_ttl_seconds'?): Feast 0.66.0 has no such key in registry of type 'sql' (Feast would ignore it; Sluice refuses it so that a misspelt key is not silently ignored); known keys: [")
        .hasMessageContaining("cache_ttl_seconds");
  }

  @Test
  void aBadUrlInTheSectionIsNamedByItsKey() throws Exception {
    JsonNode section = YAML.readTree("registry_type: sql\npath: oracle://u:secret@h:1/db\n");

    assertThatThrownBy(
            () ->
                RegistryConfig.fromSection(
                    ConfigSection.of(Path.of("/repo/feature_store.yaml"), "registry", section),
                    BASE))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith(
            "Invalid registry.path in /repo/feature_store.yaml: 'oracle://u:***@h:1/db':"
                + " unsupported database 'oracle'")
        .hasMessageNotContaining("secret")
        .hasCauseInstanceOf(RegistryConfigurationException.class);
  }

  @Test
  void feastsOptionalKeysAreAccepted() throws Exception {
    JsonNode section =
        YAML.readTree(
            "registry_type: sql\npath: sqlite:///r.db\ncache_ttl_seconds: 60\n"
                + "sqlalchemy_config_kwargs: {echo: false}\n");

    assertThat(
            RegistryConfig.fromSection(ConfigSection.of(null, "registry", section), BASE).jdbcUrl())
        .isEqualTo("jdbc:sqlite:/repo/feature_repo/r.db");
  }
}
