package io.sluice.online.redis;

import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.InvalidConfigException;
import io.sluice.online.redis.RedisOnlineStoreConfig.Node;
import io.sluice.online.redis.RedisOnlineStoreConfig.RedisType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Feast's Redis {@code connection_string}: {@code host:port[,host:port…][,password=…][,ssl=true]
 * [,db=N][,username=…]}. It may hold a password, so no error shows its text; each names {@code
 * online_store.connection_string} through the section.
 */
final class RedisConnectionString {
  private static final Set<String> OPTIONS = Set.of("password", "username", "ssl", "db");

  private RedisConnectionString() {}

  /**
   * The store's configuration: {@code text} parsed, with the {@code type} and {@code ttl} beside
   * it.
   */
  static RedisOnlineStoreConfig parse(
      ConfigSection section, RedisType type, String text, long ttl) {
    List<Node> nodes = new ArrayList<>();
    String username = null;
    String password = null;
    boolean ssl = false;
    int db = 0;
    String[] parts = text.split(",", -1);
    for (int i = 0; i < parts.length; i++) {
      String item = parts[i].trim();
      // Entries are named by position, never shown: one may be a password.
      String entry = "entry " + (i + 1) + " of " + parts.length;
      int equals = item.indexOf('=');
      if (equals >= 0) {
        String key = item.substring(0, equals).trim();
        String value = item.substring(equals + 1).trim();
        switch (key) {
          case "password" -> password = value;
          case "username" -> username = value;
          case "ssl" -> ssl = bool(section, value, "ssl");
          case "db" -> db = integer(section, value, "option db");
          default ->
              throw invalid(
                  section,
                  ConfigSection.unknownKeyMessage(
                      "has an unknown option '" + key + "'", key, OPTIONS));
        }
        continue;
      }
      if (item.contains("://") || item.contains("@")) {
        throw invalid(
            section,
            entry
                + " looks like a URL; Feast's form is host:port[,password=…][,ssl=true][,db=N],"
                + " for example redis.internal:6379,password=${REDIS_PASSWORD},ssl=true");
      }
      int colon = item.lastIndexOf(':');
      if (item.isEmpty() || colon <= 0 || colon == item.length() - 1) {
        throw invalid(
            section,
            entry
                + " is not host:port; the string must look like"
                + " host:port[,password=…][,ssl=true][,db=N]");
      }
      int port;
      try {
        port = Integer.parseInt(item.substring(colon + 1).trim());
      } catch (NumberFormatException e) {
        throw invalid(section, entry + " has a port that is not a number");
      }
      if (port < 1 || port > 65535) {
        throw invalid(section, entry + " has port " + port + " outside 1-65535");
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
    return switch (value.toLowerCase(Locale.ROOT)) {
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

  /** An error in {@code connection_string}; it may hold a password, so its text is never shown. */
  private static InvalidConfigException invalid(ConfigSection section, String detail) {
    return section.invalid(RedisStore.CONNECTION_STRING, detail);
  }
}
