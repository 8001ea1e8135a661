package io.sluice.online.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.config.RedisOnlineStoreConfig.Node;
import io.sluice.online.config.RedisOnlineStoreConfig.RedisType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses the {@code online_store} section of Feast's {@code feature_store.yaml} into an {@link
 * OnlineStoreConfig}. Keys are Feast's own; Feast forbids extra keys in this section, so Sluice
 * adds none here. A key this parser does not know is an error that lists the known ones, never
 * silently ignored.
 */
public final class OnlineStoreConfigParser {
  private static final String SECTION = "online_store";

  // Feast keys Sluice accepts but does not need (they concern reads or deletion).
  private static final Set<String> REDIS_KEYS =
      Set.of(
          "type", "redis_type", "connection_string", "key_ttl_seconds", "full_scan_for_deletion");
  private static final Set<String> SQLITE_KEYS = Set.of("type", "path");
  private static final Set<String> CONNECTION_OPTIONS = Set.of("password", "username", "ssl", "db");

  private OnlineStoreConfigParser() {}

  /**
   * Parses the section; a missing section (null or YAML null) is Feast's default, SQLite at {@code
   * data/online.db}. Relative paths resolve against {@code baseDir}, the folder of the YAML file.
   */
  public static OnlineStoreConfig parse(JsonNode section, Path baseDir) {
    if (section == null || section.isNull() || section.isMissingNode()) {
      return new SqliteOnlineStoreConfig(
          resolve(baseDir, SqliteOnlineStoreConfig.DEFAULT_PATH).toString());
    }
    if (section.isTextual()) {
      // Feast accepts `online_store: sqlite` as shorthand for a type with its defaults.
      return parseType(section.asText(), null, baseDir);
    }
    if (!section.isObject()) {
      throw invalid("must be a mapping with a 'type' key, got: " + section);
    }
    JsonNode type = section.get("type");
    if (type == null || !type.isTextual()) {
      throw invalid("'type' is missing; use one of: sqlite, redis");
    }
    return parseType(type.asText(), section, baseDir);
  }

  private static OnlineStoreConfig parseType(String type, JsonNode section, Path baseDir) {
    return switch (type) {
      case "sqlite", "feast.infra.online_stores.sqlite.SqliteOnlineStore" ->
          sqlite(section, baseDir);
      case "redis", "feast.infra.online_stores.redis.RedisOnlineStore" -> redis(section);
      case "dynamodb" ->
          throw invalid(
              "type 'dynamodb' is not supported by this version of Sluice yet; use sqlite or"
                  + " redis");
      default -> throw invalid("unknown type '" + type + "'; use one of: sqlite, redis");
    };
  }

  private static SqliteOnlineStoreConfig sqlite(JsonNode section, Path baseDir) {
    checkKnownKeys(section, SQLITE_KEYS, "sqlite");
    String path = text(section, "path", SqliteOnlineStoreConfig.DEFAULT_PATH);
    return new SqliteOnlineStoreConfig(resolve(baseDir, path).toString());
  }

  private static RedisOnlineStoreConfig redis(JsonNode section) {
    checkKnownKeys(section, REDIS_KEYS, "redis");
    String redisType = text(section, "redis_type", RedisType.REDIS.feastName());
    RedisType parsedType =
        switch (redisType) {
          case "redis" -> RedisType.REDIS;
          case "redis_cluster" -> RedisType.REDIS_CLUSTER;
          case "redis_sentinel" ->
              throw invalid(
                  "redis_type 'redis_sentinel' is not supported yet; use redis or"
                      + " redis_cluster");
          default ->
              throw invalid("unknown redis_type '" + redisType + "'; use redis or redis_cluster");
        };
    long ttl = section == null ? 0 : longValue(section, "key_ttl_seconds");
    if (ttl < 0) {
      throw invalid("key_ttl_seconds must be >= 0, got " + ttl);
    }
    String connection =
        text(section, "connection_string", RedisOnlineStoreConfig.DEFAULT_CONNECTION_STRING);
    return connectionString(parsedType, connection, ttl);
  }

  /**
   * Parses Feast's {@code connection_string}: {@code host:port[,host:port…][,password=…][,ssl=true]
   * [,db=N][,username=…]}.
   */
  static RedisOnlineStoreConfig connectionString(RedisType type, String text, long ttl) {
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
          case "ssl" -> ssl = bool(value, "ssl");
          case "db" -> db = integer(value, "db");
          default ->
              throw invalid(
                  "connection_string has an unknown option '"
                      + key
                      + "'; known options: "
                      + new TreeSet<>(CONNECTION_OPTIONS));
        }
        continue;
      }
      int colon = item.lastIndexOf(':');
      if (item.isEmpty() || colon <= 0 || colon == item.length() - 1) {
        throw invalid(
            "connection_string must look like host:port[,password=…][,ssl=true][,db=N], got an"
                + " entry '"
                + item
                + "'");
      }
      int port = integer(item.substring(colon + 1), "port in '" + item + "'");
      if (port < 1 || port > 65535) {
        throw invalid("connection_string has port " + port + " outside 1-65535 in '" + item + "'");
      }
      nodes.add(new Node(item.substring(0, colon), port));
    }
    if (nodes.isEmpty()) {
      throw invalid("connection_string names no host:port");
    }
    if (type == RedisType.REDIS && nodes.size() > 1) {
      throw invalid(
          "connection_string names "
              + nodes.size()
              + " hosts but redis_type is 'redis'; set redis_type: redis_cluster for a cluster");
    }
    if (type == RedisType.REDIS_CLUSTER && db != 0) {
      throw invalid("db=" + db + " cannot be used with redis_cluster (a cluster has only db 0)");
    }
    return new RedisOnlineStoreConfig(type, nodes, username, password, ssl, db, ttl);
  }

  private static void checkKnownKeys(JsonNode section, Set<String> known, String type) {
    if (section == null) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = section.fields();
    while (fields.hasNext()) {
      String key = fields.next().getKey();
      if (!known.contains(key)) {
        throw invalid(
            "unknown key '" + key + "' for type " + type + "; known keys: " + new TreeSet<>(known));
      }
    }
  }

  private static String text(JsonNode section, String key, String defaultValue) {
    JsonNode node = section == null ? null : section.get(key);
    if (node == null || node.isNull()) {
      return defaultValue;
    }
    if (!node.isValueNode()) {
      throw invalid("'" + key + "' must be a string, got: " + node);
    }
    return node.asText();
  }

  private static long longValue(JsonNode section, String key) {
    JsonNode node = section.get(key);
    if (node == null || node.isNull()) {
      return 0;
    }
    if (!node.canConvertToLong()) {
      throw invalid("'" + key + "' must be a whole number, got: " + node);
    }
    return node.asLong();
  }

  private static boolean bool(String value, String what) {
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid("connection_string option " + what + " must be true or false");
    };
  }

  private static int integer(String value, String what) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw invalid("connection_string " + what + " must be a number, got '" + value + "'");
    }
  }

  private static Path resolve(Path baseDir, String path) {
    return baseDir.resolve(path).toAbsolutePath().normalize();
  }

  private static InvalidOnlineStoreConfigException invalid(String detail) {
    return new InvalidOnlineStoreConfigException("Invalid " + SECTION + ": " + detail);
  }
}
