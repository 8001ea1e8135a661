package io.sluice.testing;

/**
 * A database server on a loopback port with one database, {@value #DATABASE}, and one
 * password-authenticated user, {@value #USER}: what the registry tests connect to.
 */
public abstract class DatabaseServer implements AutoCloseable {
  public static final String DATABASE = "registry";
  public static final String USER = "sluice";

  private final String jdbcScheme;
  private final int port;
  private final String password;

  DatabaseServer(String jdbcScheme, int port, String password) {
    this.jdbcScheme = jdbcScheme;
    this.port = port;
    this.password = password;
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  public String database() {
    return DATABASE;
  }

  public String user() {
    return USER;
  }

  public String password() {
    return password;
  }

  public String jdbcUrl() {
    return jdbcScheme + "://127.0.0.1:" + port + "/" + DATABASE;
  }

  /** Stops the server and deletes its folder. */
  @Override
  public abstract void close();
}
