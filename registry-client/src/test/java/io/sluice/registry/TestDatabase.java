package io.sluice.registry;

import io.sluice.testing.MariaDbServer;
import io.sluice.testing.PostgresServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The three databases the tests run against. PostgreSQL and MariaDB are real servers, started once
 * per test JVM on first use and stopped when it exits; SQLite is a file per test. Tests on a shared
 * server isolate themselves with their own project name.
 */
enum TestDatabase {
  SQLITE,
  POSTGRESQL,
  MARIADB;

  private static PostgresServer postgres;
  private static MariaDbServer mariadb;

  private static String serverUrl(
      String scheme, String user, String password, int port, String database) {
    return scheme + "://" + user + ":" + encode(password) + "@127.0.0.1:" + port + "/" + database;
  }

  /** The registry URL as a user writes it in feature_store.yaml (password percent-encoded). */
  synchronized String sqlAlchemyUrl(Path folder) {
    return switch (this) {
      case SQLITE -> "sqlite:///" + folder.resolve("registry.db").toAbsolutePath();
      case POSTGRESQL -> {
        PostgresServer server = postgres();
        yield serverUrl(
            "postgresql+psycopg",
            server.user(),
            server.password(),
            server.port(),
            server.database());
      }
      case MARIADB -> {
        MariaDbServer server = mariadb();
        yield serverUrl(
            "mysql+pymysql", server.user(), server.password(), server.port(), server.database());
      }
    };
  }

  RegistryConfig config(Path folder) {
    return RegistryConfig.fromUrl(sqlAlchemyUrl(folder), folder);
  }

  RegistryDialect dialect() {
    return this == MARIADB ? RegistryDialect.MYSQL : RegistryDialect.valueOf(name());
  }

  static synchronized PostgresServer postgres() {
    if (postgres == null) {
      postgres = PostgresServer.start();
      Runtime.getRuntime().addShutdownHook(new Thread(postgres::close));
    }
    return postgres;
  }

  static synchronized MariaDbServer mariadb() {
    if (mariadb == null) {
      mariadb = MariaDbServer.start();
      Runtime.getRuntime().addShutdownHook(new Thread(mariadb::close));
    }
    return mariadb;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
