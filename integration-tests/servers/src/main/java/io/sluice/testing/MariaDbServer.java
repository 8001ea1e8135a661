package io.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real MariaDB server (Debian {@code mariadb-server}) on a free port of 127.0.0.1, with a private
 * data folder and socket in a temporary folder, one database and one user that may only log in with
 * its password. {@link #close()} stops the server and deletes the folder.
 */
public final class MariaDbServer extends DatabaseServer {
  /** Contains characters that must be percent-encoded in a URL. */
  public static final String PASSWORD = "maria-p@ss/word:1";

  private final Path directory;
  private final ServerProcess process;

  private MariaDbServer(Path directory, int port, ServerProcess process) {
    super("jdbc:mariadb", port, PASSWORD);
    this.directory = directory;
    this.process = process;
  }

  /** Installs a fresh data folder, starts the server and creates the database and the user. */
  public static MariaDbServer start() {
    String mariadbd =
        ServerProcess.requireBinary("mariadb-server", "mariadbd", "/usr/sbin/mariadbd");
    String installDb = ServerProcess.requireBinary("mariadb-server", "mariadb-install-db");
    String client = ServerProcess.requireBinary("mariadb-client", "mariadb");
    Path directory;
    try {
      directory = Files.createTempDirectory("sluice-mariadb-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a folder for MariaDB", e);
    }
    String osUser = System.getProperty("user.name");
    Path data = directory.resolve("data");
    Path socket = directory.resolve("mariadb.sock");
    ServerProcess.run(
        List.of(
            installDb,
            "--no-defaults",
            "--datadir=" + data,
            "--user=" + osUser,
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve"),
        Duration.ofMinutes(2));

    int port = ServerProcess.freePort();
    Path log = directory.resolve("mariadb.log");
    ServerProcess process =
        ServerProcess.start(
            "MariaDB",
            List.of(
                mariadbd,
                "--no-defaults",
                "--datadir=" + data,
                "--socket=" + socket,
                "--pid-file=" + directory.resolve("mariadb.pid"),
                "--port=" + port,
                "--bind-address=127.0.0.1",
                "--user=" + osUser,
                "--skip-name-resolve",
                "--skip-log-bin",
                "--max-connections=200",
                "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=32M",
                "--innodb-flush-log-at-trx-commit=2",
                "--innodb-doublewrite=0",
                "--performance-schema=OFF"),
            log,
            Duration.ofSeconds(60),
            () ->
                PostgresServer.logContains(log, "ready for connections")
                    && ServerProcess.accepts(port));
    MariaDbServer server = new MariaDbServer(directory, port, process);
    try {
      ServerProcess.run(
          List.of(
              client,
              "--no-defaults",
              "--socket=" + socket,
              "--user=root",
              "-e",
              "CREATE DATABASE "
                  + DATABASE
                  + "; CREATE USER '"
                  + USER
                  + "'@'%' IDENTIFIED BY '"
                  + PASSWORD
                  + "'; GRANT ALL PRIVILEGES ON "
                  + DATABASE
                  + ".* TO '"
                  + USER
                  + "'@'%';"),
          Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Stops the server (SIGTERM: a clean shutdown) and deletes its folder. */
  @Override
  public void close() {
    try {
      process.close();
    } finally {
      PostgresServer.deleteRecursively(directory);
    }
  }
}
