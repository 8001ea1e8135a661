package io.sluice.online.redis;

import static io.sluice.online.TestViews.driverRows;
import static io.sluice.online.TestViews.driverStats;
import static io.sluice.online.TestViews.int64EntityKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.online.FeatureRow;
import io.sluice.online.OnlineStoreConfig;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.stores.OnlineStores;
import io.sluice.testing.RedisCluster;
import io.sluice.testing.RedisServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;

/** A real three-master Redis Cluster receives every row, spread over all masters. */
@Timeout(120)
class RedisClusterTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static RedisCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static OnlineStoreConfig config() {
    return OnlineStores.parse(
        io.sluice.common.config.ConfigSection.of(
            null,
            "online_store",
            new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode()
                .put("type", "redis")
                .put("redis_type", "redis_cluster")
                .put("connection_string", cluster.nodes().get(0).hostAndPort())),
        Path.of("/"));
  }

  @Test
  void clusterReceivesEveryRowInBothModes() {
    for (RedisServer node : cluster.nodes()) {
      node.cli("flushall");
    }
    OnlineStoreConfig config = config();
    List<FeatureRow> rows = driverRows(1, 5000, T0, 1);
    try (OnlineWriter writer =
        OnlineStores.openWriter(config, driverStats(), WriteOptions.defaults())) {
      for (int from = 0; from < rows.size(); from += 1000) {
        writer.write(rows.subList(from, from + 1000));
      }
      assertThat(writer.stats()).isEqualTo(new WriteStats(5000, 0));
      assertThat(writer.write(rows.subList(0, 1000))).isEqualTo(new WriteStats(0, 1000));
    }
    try (OnlineWriter writer =
        OnlineStores.openWriter(
            config, driverStats(), WriteOptions.defaults().withMode(WriteMode.FORCE))) {
      assertThat(writer.write(driverRows(1, 1000, T0.minusSeconds(1), 2)))
          .isEqualTo(new WriteStats(1000, 0));
    }

    assertThat(keysPerMaster()).allSatisfy(keys -> assertThat(keys).isPositive());
    assertThat(keysPerMaster().stream().mapToLong(Long::longValue).sum()).isEqualTo(5000);

    Set<HostAndPort> nodes = new HashSet<>();
    cluster.nodes().forEach(node -> nodes.add(new HostAndPort("127.0.0.1", node.port())));
    try (JedisCluster client = new JedisCluster(nodes)) {
      for (long id : new long[] {1, 999, 1001, 5000}) {
        RedisStores.Stored stored =
            RedisStores.read(client, driverStats(), int64EntityKey("driver_id", id));
        Instant expected = id <= 1000 ? T0.minusSeconds(1) : T0;
        assertThat(stored.eventTime()).as("driver %s", id).isEqualTo(expected);
      }
    }
  }

  @Test
  void slotsMovedAfterTheWriterOpenedAreFollowed() {
    for (RedisServer node : cluster.nodes()) {
      node.cli("flushall");
    }
    try (OnlineWriter writer =
        OnlineStores.openWriter(config(), driverStats(), WriteOptions.defaults())) {
      writer.write(driverRows(1, 500, T0, 1));
      // Move 300 slots from the first master to the second: the writer's slot map is
      // now stale and the next batch meets MOVED replies for those slots.
      RedisServer from = cluster.nodes().get(0);
      RedisServer to = cluster.nodes().get(1);
      from.cli(
          "--cluster",
          "reshard",
          from.hostAndPort(),
          "--cluster-from",
          nodeId(from),
          "--cluster-to",
          nodeId(to),
          "--cluster-slots",
          "300",
          "--cluster-yes");
      // One retry: the rows whose slots moved are sent again to their new node.
      assertThat(writer.write(driverRows(501, 4500, T0, 1)))
          .isEqualTo(new WriteStats(4500, 0, 1, 0));
      assertThat(writer.write(driverRows(1, 500, T0, 1))).isEqualTo(new WriteStats(0, 500));
    }
    assertThat(keysPerMaster().stream().mapToLong(Long::longValue).sum()).isEqualTo(5000);
  }

  private static String nodeId(RedisServer node) {
    return node.cli("cluster", "myid").trim();
  }

  private static List<Long> keysPerMaster() {
    return cluster.nodes().stream().map(node -> Long.parseLong(node.cli("dbsize").trim())).toList();
  }
}
