package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What an operator sees when the registry cannot be reached or refuses the credentials. */
class RegistryConnectionFailureTest {
  @TempDir Path folder;

  /** The two server registries, as a user writes their URL and as JDBC names them. */
  enum Server {
    POSTGRESQL("postgresql", "jdbc:postgresql"),
    MARIADB("mysql+pymysql", "jdbc:mariadb");

    final String scheme;
    final String jdbcScheme;

    Server(String scheme, String jdbcScheme) {
      this.scheme = scheme;
      this.jdbcScheme = jdbcScheme;
    }

    int runningPort() {
      return this == POSTGRESQL ? TestDatabase.postgres().port() : TestDatabase.mariadb().port();
    }

    RegistryConfig config(String password, int port, Path folder) {
      return RegistryConfig.fromUrl(
          scheme + "://sluice:" + password + "@127.0.0.1:" + port + "/registry", folder);
    }
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void anUnreachableServerIsRetryableInfrastructure(Server server) {
    int port = ServerProcess.freePort();
    RegistryConfig config = server.config("secret", port, folder);

    assertThatThrownBy(() -> SqlRegistry.open(config))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageStartingWith(
            "Cannot connect to the registry at "
                + server.jdbcScheme
                + "://127.0.0.1:"
                + port
                + "/registry as sluice: ")
        .message()
        .doesNotContain("secret");
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void aWrongPasswordIsAConfigurationError(Server server) {
    int port = server.runningPort();
    RegistryConfig config = server.config("not-the-password", port, folder);

    assertThatThrownBy(() -> SqlRegistry.open(config))
        .isInstanceOf(RegistryConfigurationException.class)
        .hasMessageStartingWith(
            "Cannot log in to the registry at "
                + server.jdbcScheme
                + "://127.0.0.1:"
                + port
                + "/registry as sluice: ")
        .hasMessageEndingWith("; check the user, password and database in registry.path")
        .message()
        .doesNotContain("not-the-password");
  }

  @Test
  void sqliteInAMissingFolderIsCreatedLikeTheOnlineStoresFolder() {
    Path file = folder.resolve("missing/state/registry.db");

    try (SqlRegistry registry = SqlRegistry.open(RegistryConfig.sqlite(file))) {
      registry.ensureSchema();
      assertThat(registry.featureViewNames("demo")).isEmpty();
    }
    assertThat(file).isRegularFile();
  }

  @Test
  void sqliteFolderThatCannotBeCreatedIsAConfigurationError() throws Exception {
    Path notAFolder = Files.writeString(folder.resolve("not-a-folder"), "x");
    RegistryConfig config = RegistryConfig.sqlite(notAFolder.resolve("registry.db"));

    assertThatThrownBy(() -> SqlRegistry.open(config))
        .isInstanceOf(RegistryConfigurationException.class)
        .hasMessageStartingWith(
            "Cannot create the folder of the SQLite registry "
                + notAFolder.resolve("registry.db")
                + ": java.nio.file.FileAlreadyExistsException: "
                + notAFolder)
        .hasMessageEndingWith("; check registry.path");
  }

  @Test
  void readingAnEmptyRegistryAsksForApply() {
    try (SqlRegistry registry =
        SqlRegistry.open(RegistryConfig.sqlite(folder.resolve("registry.db")))) {
      assertThatThrownBy(() -> registry.featureView("demo", "driver_hourly_stats"))
          .isInstanceOf(RegistryConfigurationException.class)
          .hasMessage(
              "Cannot read the registry at jdbc:sqlite:"
                  + folder.resolve("registry.db")
                  + ": it has no feature_views table; create it with `sluice apply` (or `feast apply`) first");
      assertThat(registry.config().dialect()).isEqualTo(RegistryDialect.SQLITE);
    }
  }
}
