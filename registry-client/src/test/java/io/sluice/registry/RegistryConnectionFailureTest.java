package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.testing.ServerProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when the registry cannot be reached or refuses the credentials. */
class RegistryConnectionFailureTest {
  @TempDir Path folder;

  @Test
  void unreachablePostgresqlIsRetryableInfrastructure() {
    int port = ServerProcess.freePort();
    RegistryConfig config =
        RegistryConfig.fromUrl(
            "postgresql://sluice:secret@127.0.0.1:" + port + "/registry", folder);

    assertThatThrownBy(() -> SqlRegistry.open(config))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageStartingWith(
            "Cannot connect to the registry at jdbc:postgresql://127.0.0.1:"
                + port
                + "/registry as sluice: ")
        .message()
        .doesNotContain("secret");
  }

  @Test
  void unreachableMariaDbIsRetryableInfrastructure() {
    int port = ServerProcess.freePort();
    RegistryConfig config =
        RegistryConfig.fromUrl("mysql://sluice:secret@127.0.0.1:" + port + "/registry", folder);

    assertThatThrownBy(() -> SqlRegistry.open(config))
        .isInstanceOf(RegistryUnavailableException.class)
        .hasMessageStartingWith(
            "Cannot connect to the registry at jdbc:mariadb://127.0.0.1:"
                + port
                + "/registry as sluice: ")
        .message()
        .doesNotContain("secret");
  }

  @Test
  void wrongPostgresqlPasswordIsAConfigurationError() {
    int port = TestDatabase.postgres().port();
    RegistryConfig config =
        RegistryConfig.fromUrl(
            "postgresql://sluice:not-the-password@127.0.0.1:" + port + "/registry", folder);

    assertThatThrownBy(() -> SqlRegistry.open(config))
        .isInstanceOf(RegistryConfigurationException.class)
        .hasMessageStartingWith(
            "Cannot log in to the registry at jdbc:postgresql://127.0.0.1:"
                + port
                + "/registry as sluice: ")
        .hasMessageEndingWith("; check the user, password and database in registry.path")
        .message()
        .doesNotContain("not-the-password");
  }

  @Test
  void wrongMariaDbPasswordIsAConfigurationError() {
    int port = TestDatabase.mariadb().port();
    RegistryConfig config =
        RegistryConfig.fromUrl(
            "mysql+pymysql://sluice:not-the-password@127.0.0.1:" + port + "/registry", folder);

    assertThatThrownBy(() -> SqlRegistry.open(config))
        .isInstanceOf(RegistryConfigurationException.class)
        .hasMessageStartingWith(
            "Cannot log in to the registry at jdbc:mariadb://127.0.0.1:"
                + port
                + "/registry as sluice: ")
        .hasMessageEndingWith("; check the user, password and database in registry.path")
        .message()
        .doesNotContain("not-the-password");
  }

  @Test
  void sqliteInAMissingFolderIsAConfigurationError() {
    RegistryConfig config = RegistryConfig.sqlite(folder.resolve("missing/registry.db"));

    assertThatThrownBy(() -> SqlRegistry.open(config))
        .isInstanceOf(RegistryConfigurationException.class)
        .hasMessage(
            "Cannot open the SQLite registry "
                + folder.resolve("missing/registry.db")
                + ": check that its folder exists and is writable");
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
