package io.sluice.online.redis;

import io.sluice.online.redis.RedisOnlineStoreConfig.Node;
import io.sluice.online.redis.RedisOnlineStoreConfig.RedisType;
import java.util.LinkedHashSet;
import java.util.Set;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;

/**
 * Opens Jedis clients for a Redis online store: a pooled client for a standalone server, a cluster
 * client (which discovers every master from the given nodes) for {@code redis_cluster}. Both are
 * {@link UnifiedJedis}, so writers pipeline the same way on either.
 */
final class RedisConnections {
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final int SOCKET_TIMEOUT_MILLIS = 30_000;

  private RedisConnections() {}

  static UnifiedJedis open(RedisOnlineStoreConfig config) {
    JedisClientConfig client =
        DefaultJedisClientConfig.builder()
            .user(config.username())
            .password(config.password())
            .ssl(config.ssl())
            .database(config.database())
            .connectionTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
            .socketTimeoutMillis(SOCKET_TIMEOUT_MILLIS)
            .clientName("sluice")
            .build();
    if (config.redisType() == RedisType.REDIS_CLUSTER) {
      Set<HostAndPort> nodes = new LinkedHashSet<>();
      for (Node node : config.nodes()) {
        nodes.add(new HostAndPort(node.host(), node.port()));
      }
      return new JedisCluster(nodes, client);
    }
    Node node = config.nodes().get(0);
    return new JedisPooled(new HostAndPort(node.host(), node.port()), client);
  }
}
