package io.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real PostgreSQL 15 server on a free port of 127.0.0.1, in a temporary folder, with one database
 * owned by one password-authenticated user. TCP clients must authenticate with {@code
 * scram-sha-256}, so a wrong password is rejected as it would be in production.
 *
 * <p>PostgreSQL refuses to run as root; when the tests run as root the server runs as the {@code
 * postgres} OS user (the folder is handed over to it). {@link #close()} stops the server (fast
 * shutdown) and deletes the folder.
 */
public final class PostgresServer extends DatabaseServer {
  /** Contains characters that must be percent-encoded in a URL. */
  public static final String PASSWORD = "pg-p@ss/word:1";

  private static final String BIN = "/usr/lib/postgresql/15/bin/";
  private static final String OS_USER = "postgres";

  private final Path directory;
  private final Path dataDirectory;
  private final ServerProcess process;

  private PostgresServer(Path directory, Path dataDirectory, int port, ServerProcess process) {
    super("jdbc:postgresql", port, PASSWORD);
    this.directory = directory;
    this.dataDirectory = dataDirectory;
    this.process = process;
  }

  /** Initializes a cluster, starts it and creates {@link #DATABASE} owned by {@link #USER}. */
  public static PostgresServer start() {
    String initdb = ServerProcess.requireBinary("postgresql", BIN + "initdb");
    String postgres = ServerProcess.requireBinary("postgresql", BIN + "postgres");
    String psql = ServerProcess.requireBinary("postgresql-client", BIN + "psql", "psql");
    Path directory;
    try {
      directory = Files.createTempDirectory("sluice-postgres-");
      Files.writeString(directory.resolve("superuser-password"), "unused-superuser-password\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a folder for PostgreSQL", e);
    }
    Path data = directory.resolve("data");
    if (ServerProcess.runningAsRoot()) {
      ServerProcess.run(
          List.of("chown", "-R", OS_USER + ":" + OS_USER, directory.toString()),
          Duration.ofSeconds(30));
    }
    ServerProcess.run(
        asServerUser(
            initdb,
            "-D",
            data.toString(),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--pwfile=" + directory.resolve("superuser-password"),
            "--encoding=UTF8",
            "--no-sync"),
        Duration.ofMinutes(2));

    int port = ServerProcess.freePort();
    Path log = directory.resolve("postgres.log");
    ServerProcess process =
        ServerProcess.start(
            "PostgreSQL",
            asServerUser(
                postgres,
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-k",
                directory.toString(),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=64MB"),
            log,
            Duration.ofSeconds(60),
            () -> logContains(log, "database system is ready to accept connections"));
    PostgresServer server = new PostgresServer(directory, data, port, process);
    try {
      server.superuserSql(
          psql,
          "CREATE USER "
              + USER
              + " PASSWORD '"
              + PASSWORD
              + "'; CREATE DATABASE "
              + DATABASE
              + " OWNER "
              + USER
              + ";");
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void superuserSql(String psql, String sql) {
    List<String> command =
        asServerUser(
            psql,
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            directory.toString(),
            "-p",
            Integer.toString(port()),
            "-U",
            "postgres",
            "-d",
            "postgres");
    // psql runs each -c separately; CREATE DATABASE cannot run inside a multi-statement string.
    for (String statement : sql.split(";")) {
      if (!statement.isBlank()) {
        List<String> withStatement = new ArrayList<>(command);
        withStatement.add("-c");
        withStatement.add(statement.trim());
        ServerProcess.run(withStatement, Duration.ofSeconds(60));
      }
    }
  }

  /** Stops the server (fast shutdown: open sessions are ended) and deletes its folder. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        ServerProcess.run(
            asServerUser(
                BIN + "pg_ctl", "stop", "-m", "fast", "-w", "-D", dataDirectory.toString()),
            Duration.ofSeconds(60));
      }
    } catch (RuntimeException e) {
      // The process is killed below either way.
    } finally {
      process.close();
      deleteRecursively(directory);
    }
  }

  private static List<String> asServerUser(String... command) {
    List<String> full = new ArrayList<>();
    if (ServerProcess.runningAsRoot()) {
      full.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  static void deleteRecursively(Path directory) {
    try (var paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Best effort: a temporary folder left behind is harmless.
    }
  }

  static boolean logContains(Path log, String text) {
    try {
      return Files.exists(log) && Files.readString(log).contains(text);
    } catch (IOException e) {
      return false;
    }
  }
}
