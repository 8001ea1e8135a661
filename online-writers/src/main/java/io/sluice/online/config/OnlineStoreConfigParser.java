package io.sluice.online.config;

import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.InvalidConfigException;
import io.sluice.online.config.RedisOnlineStoreConfig.Node;
import io.sluice.online.config.RedisOnlineStoreConfig.RedisType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses the {@code online_store} section of Feast's {@code feature_store.yaml} into an {@link
 * OnlineStoreConfig}. Keys are Feast's own; Feast forbids extra keys in this section, so Sluice
 * adds none here. A key this parser does not know is an error that lists the known ones, never
 * silently ignored.
 */
public final class OnlineStoreConfigParser {
  // Feast keys Sluice accepts but does not need (they concern reads or deletion).
  private static final Set<String> REDIS_KEYS =
      Set.of(
          "type", "redis_type", "connection_string", "key_ttl_seconds", "full_scan_for_deletion");
  private static final Set<String> SQLITE_KEYS = Set.of("type", "path");
  private static final Set<String> CONNECTION_OPTIONS = Set.of("password", "username", "ssl", "db");

  private OnlineStoreConfigParser() {}

  /**
   * Parses the section; a missing section is Feast's default, SQLite at {@code data/online.db}.
   * Relative paths resolve against {@code baseDir}, the folder of the YAML file.
   */
  public static OnlineStoreConfig parse(ConfigSection section, Path baseDir) {
    if (!section.isPresent()) {
      return new SqliteOnlineStoreConfig(
          resolve(baseDir, SqliteOnlineStoreConfig.DEFAULT_PATH).toString());
    }
    // Feast accepts `online_store: sqlite` as shorthand for a type with its defaults.
    String type =
        section
            .shorthand()
            .or(() -> section.optionalText("type"))
            .orElseThrow(() -> section.invalid("'type' is missing; use one of: sqlite, redis"));
    return switch (type) {
      case "sqlite", "feast.infra.online_stores.sqlite.SqliteOnlineStore" ->
          sqlite(section, baseDir);
      case "redis", "feast.infra.online_stores.redis.RedisOnlineStore" -> redis(section);
      case "dynamodb" ->
          throw section.invalid(
              "type",
              "'dynamodb' is not supported by this version of Sluice yet; use sqlite or redis");
      default ->
          throw section.invalid("type", "unknown type '" + type + "'; use one of: sqlite, redis");
    };
  }

  private static SqliteOnlineStoreConfig sqlite(ConfigSection section, Path baseDir) {
    section.requireKnownKeys(SQLITE_KEYS);
    String path = section.text("path", SqliteOnlineStoreConfig.DEFAULT_PATH);
    return new SqliteOnlineStoreConfig(resolve(baseDir, path).toString());
  }

  private static RedisOnlineStoreConfig redis(ConfigSection section) {
    ConfigSection redis = section.withSecrets("connection_string").requireKnownKeys(REDIS_KEYS);
    String redisType = redis.text("redis_type", RedisType.REDIS.feastName());
    RedisType parsedType =
        switch (redisType) {
          case "redis" -> RedisType.REDIS;
          case "redis_cluster" -> RedisType.REDIS_CLUSTER;
          case "redis_sentinel" ->
              throw redis.invalid(
                  "redis_type",
                  "'redis_sentinel' is not supported yet; use redis or redis_cluster");
          default ->
              throw redis.invalid(
                  "redis_type",
                  "unknown redis_type '" + redisType + "'; use redis or redis_cluster");
        };
    long ttl = redis.longInteger("key_ttl_seconds", 0, 0, Long.MAX_VALUE);
    String connection =
        redis.text("connection_string", RedisOnlineStoreConfig.DEFAULT_CONNECTION_STRING);
    return connectionString(redis, parsedType, connection, ttl);
  }

  /**
   * Parses Feast's {@code connection_string}: {@code host:port[,host:port…][,password=…][,ssl=true]
   * [,db=N][,username=…]}.
   */
  static RedisOnlineStoreConfig connectionString(
      ConfigSection section, RedisType type, String text, long ttl) {
    List<Node> nodes = new ArrayList<>();
    String username = null;
    String password = null;
    boolean ssl = false;
    int db = 0;
    for (String part : text.split(",", -1)) {
      String item = part.trim();
      int equals = item.indexOf('=');
      if (equals >= 0) {
        String key = item.substring(0, equals).trim();
        String value = item.substring(equals + 1).trim();
        switch (key) {
          case "password" -> password = value;
          case "username" -> username = value;
          case "ssl" -> ssl = bool(section, value, "ssl");
          case "db" -> db = integer(section, value, "db");
          default ->
              throw invalid(
                  section,
                  "has an unknown option '"
                      + key
                      + "'; known options: "
                      + new TreeSet<>(CONNECTION_OPTIONS));
        }
        continue;
      }
      int colon = item.lastIndexOf(':');
      if (item.isEmpty() || colon <= 0 || colon == item.length() - 1) {
        throw invalid(
            section,
            "must look like host:port[,password=…][,ssl=true][,db=N], got an"
                + " entry '"
                + item
                + "'");
      }
      int port = integer(section, item.substring(colon + 1), "port in '" + item + "'");
      if (port < 1 || port > 65535) {
        throw invalid(section, "has port " + port + " outside 1-65535 in '" + item + "'");
      }
      nodes.add(new Node(item.substring(0, colon), port));
    }
    if (nodes.isEmpty()) {
      throw invalid(section, "names no host:port");
    }
    if (type == RedisType.REDIS && nodes.size() > 1) {
      throw invalid(
          section,
          "names "
              + nodes.size()
              + " hosts but redis_type is 'redis'; set redis_type: redis_cluster for a cluster");
    }
    if (type == RedisType.REDIS_CLUSTER && db != 0) {
      throw invalid(
          section, "db=" + db + " cannot be used with redis_cluster (a cluster has only db 0)");
    }
    return new RedisOnlineStoreConfig(type, nodes, username, password, ssl, db, ttl);
  }

  private static boolean bool(ConfigSection section, String value, String what) {
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(section, "option " + what + " must be true or false");
    };
  }

  private static int integer(ConfigSection section, String value, String what) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw invalid(section, what + " must be a number, got '" + value + "'");
    }
  }

  private static Path resolve(Path baseDir, String path) {
    return baseDir.resolve(path).toAbsolutePath().normalize();
  }

  /** An error in {@code connection_string}; it may hold a password, so its text is never shown. */
  private static InvalidConfigException invalid(ConfigSection section, String detail) {
    return section.invalid("connection_string", detail);
  }
}
