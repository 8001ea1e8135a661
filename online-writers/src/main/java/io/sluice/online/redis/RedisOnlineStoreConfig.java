package io.sluice.online.redis;

import static java.util.Objects.requireNonNull;

import io.sluice.online.OnlineStoreConfig;
import java.io.Serializable;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Feast's Redis online store: {@code redis_type}, the parsed {@code connection_string} and {@code
 * key_ttl_seconds}. {@link #toString()} never shows the password.
 *
 * @param keyTtlSeconds seconds until a written key expires; 0 for never
 * @param skipDedup Feast's {@code skip_dedup}: write without the newer-only check
 */
public record RedisOnlineStoreConfig(
    RedisType redisType,
    List<Node> nodes,
    String username,
    String password,
    boolean ssl,
    int database,
    long keyTtlSeconds,
    boolean skipDedup,
    int keysPerScriptCall)
    implements OnlineStoreConfig {

  /**
   * Entities per newer-only script call on a standalone server ({@code
   * sluice.redis.keys_per_script_call}): the server pays a call's fixed cost once for all of them.
   * 1 behind a proxy that routes a script by its first key (twemproxy, Envoy). A cluster always
   * sends one, as a call's keys must share a hash slot.
   */
  public static final int DEFAULT_KEYS_PER_SCRIPT_CALL = 100;

  /** With the default keys per script call. */
  public RedisOnlineStoreConfig(
      RedisType redisType,
      List<Node> nodes,
      String username,
      String password,
      boolean ssl,
      int database,
      long keyTtlSeconds,
      boolean skipDedup) {
    this(
        redisType,
        nodes,
        username,
        password,
        ssl,
        database,
        keyTtlSeconds,
        skipDedup,
        DEFAULT_KEYS_PER_SCRIPT_CALL);
  }

  /** With Feast's default {@code skip_dedup: false}. */
  public RedisOnlineStoreConfig(
      RedisType redisType,
      List<Node> nodes,
      String username,
      String password,
      boolean ssl,
      int database,
      long keyTtlSeconds) {
    this(redisType, nodes, username, password, ssl, database, keyTtlSeconds, false);
  }

  /** The same store, with {@code skip_dedup} set. */
  public RedisOnlineStoreConfig withSkipDedup(boolean skip) {
    return new RedisOnlineStoreConfig(
        redisType,
        nodes,
        username,
        password,
        ssl,
        database,
        keyTtlSeconds,
        skip,
        keysPerScriptCall);
  }

  /** The same store, with {@code keysPerScriptCall} entities per newer-only script call. */
  public RedisOnlineStoreConfig withKeysPerScriptCall(int keys) {
    return new RedisOnlineStoreConfig(
        redisType, nodes, username, password, ssl, database, keyTtlSeconds, skipDedup, keys);
  }

  @Override
  public boolean skipsNewerOnlyCheck() {
    return skipDedup;
  }

  /** Feast's {@code redis_type}. */
  public enum RedisType {
    REDIS("redis"),
    REDIS_CLUSTER("redis_cluster");

    private final String feastName;

    RedisType(String feastName) {
      this.feastName = feastName;
    }

    public String feastName() {
      return feastName;
    }
  }

  /** One {@code host:port} of the connection string. */
  public record Node(String host, int port) implements Serializable {
    public Node {
      requireNonNull(host, "host is null");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("Invalid port: " + port);
      }
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public RedisOnlineStoreConfig {
    requireNonNull(redisType, "redisType is null");
    nodes = List.copyOf(requireNonNull(nodes, "nodes is null"));
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("Invalid Redis config: no host:port");
    }
    if (database < 0) {
      throw new IllegalArgumentException("Invalid Redis db: " + database);
    }
    if (keyTtlSeconds < 0) {
      throw new IllegalArgumentException("Invalid key_ttl_seconds: " + keyTtlSeconds);
    }
    if (keysPerScriptCall < 1) {
      throw new IllegalArgumentException("Invalid keys_per_script_call: " + keysPerScriptCall);
    }
  }

  /** {@code redis_type at host:port,…}; never the password. */
  String location() {
    return redisType.feastName()
        + " at "
        + nodes.stream().map(Node::toString).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return "RedisOnlineStoreConfig["
        + location()
        + ", username="
        + username
        + ", password="
        + (password == null ? "none" : "****")
        + ", ssl="
        + ssl
        + ", db="
        + database
        + ", keyTtlSeconds="
        + keyTtlSeconds
        + ", skipDedup="
        + skipDedup
        + "]";
  }
}
