package io.sluice.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis Cluster of three masters (no replicas) on loopback ports, created with {@code
 * redis-cli --cluster create}. Ready when every node reports {@code cluster_state:ok}.
 */
public final class RedisCluster implements AutoCloseable {
  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = nodes;
  }

  public static RedisCluster start() {
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(
            RedisServer.start(
                null,
                List.of(
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "5000")));
      }
      List<String> create = new ArrayList<>(List.of("--cluster", "create"));
      nodes.forEach(node -> create.add(node.hostAndPort()));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      nodes.get(0).cli(create.toArray(String[]::new));
      awaitClusterOk(nodes);
      return new RedisCluster(nodes);
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  private static void awaitClusterOk(List<RedisServer> nodes) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (RedisServer node : nodes) {
      while (!node.cli("cluster", "info").contains("cluster_state:ok")) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Redis cluster not ok after 30 s: " + node.cli("cluster", "info"));
        }
        Thread.onSpinWait();
      }
    }
  }

  public List<RedisServer> nodes() {
    return nodes;
  }

  /** Feast's connection string for the cluster: every node's host:port. */
  public String connectionString() {
    return String.join(",", nodes.stream().map(RedisServer::hostAndPort).toList());
  }

  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }
}
