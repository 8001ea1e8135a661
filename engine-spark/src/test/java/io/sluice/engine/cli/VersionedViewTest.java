package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import com.google.protobuf.UnknownFieldSet;
import io.sluice.engine.SparkTestBase;
import io.sluice.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/**
 * With the registry's {@code enable_online_feature_view_versioning}, a view Feast 0.66 keeps at
 * version N (its {@code meta.current_version_number}, field 4, which the 0.38 protos do not know)
 * is written where Feast reads it: SQLite table {@code <project>_<view>_v<N>}, Redis fields {@code
 * _ts:<view>_v<N>} and {@code murmur3("<view>_v<N>:<feature>")}.
 */
class VersionedViewTest extends SparkTestBase {
  private static final int VERSION = 2;
  @TempDir Path dir;

  /** Applies the repo, gives its view Feast's version, turns versioning on, materializes day 1. */
  private DriverStatsRepo materializeVersioned(String storeYaml) throws Exception {
    DriverStatsRepo repo = DriverStatsRepo.create(spark(), dir, storeYaml);
    repo.apply();
    setVersion(registry(), VERSION);
    Files.writeString(
        repo.config(),
        Files.readString(repo.config())
            .replace(
                "  registry_type: sql\n",
                "  registry_type: sql\n  enable_online_feature_view_versioning: true\n"));
    CommandResult run =
        CommandResult.run(
            "materialize",
            "--config",
            repo.config().toString(),
            "--feature-view",
            "driver_hourly_stats",
            "--start",
            DriverStatsRepo.DAY1.toString(),
            "--end",
            DriverStatsRepo.DAY2.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    // Recording the interval kept Feast's version field.
    assertThat(version(registry())).isEqualTo(VERSION);
    return repo;
  }

  private String registry() {
    return "jdbc:sqlite:" + dir.resolve("data/registry.db").toAbsolutePath();
  }

  @Test
  void aVersionedViewIsWrittenUnderFeastsVersionedTableName() throws Exception {
    DriverStatsRepo repo = materializeVersioned(DriverStatsRepo.sqliteStore());
    String online = "jdbc:sqlite:" + dir.resolve("data/online.db").toAbsolutePath();
    assertThat(tables(online)).containsExactly("demo_test_driver_hourly_stats_v" + VERSION);
    long entities = repo.expectedLatest(DriverStatsRepo.DAY1, DriverStatsRepo.DAY2).size();
    try (Connection c = DriverManager.getConnection(online);
        ResultSet rows =
            c.createStatement()
                .executeQuery(
                    "SELECT count(DISTINCT entity_key) FROM demo_test_driver_hourly_stats_v"
                        + VERSION)) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(entities).isPositive();
    }
  }

  @Test
  void aVersionedViewIsWrittenUnderFeastsVersionedFieldNamesInRedis() throws Exception {
    try (RedisServer redis = RedisServer.start();
        JedisPooled jedis = new JedisPooled("127.0.0.1", redis.port())) {
      DriverStatsRepo repo =
          materializeVersioned(
              "online_store:\n  type: redis\n  connection_string: \"127.0.0.1:"
                  + redis.port()
                  + "\"\n");
      long entities = repo.expectedLatest(DriverStatsRepo.DAY1, DriverStatsRepo.DAY2).size();
      Set<byte[]> keys = jedis.keys("*".getBytes(StandardCharsets.UTF_8));
      assertThat(keys).hasSize((int) entities);
      byte[] versionedTs = ("_ts:driver_hourly_stats_v" + VERSION).getBytes(StandardCharsets.UTF_8);
      byte[] plainTs = "_ts:driver_hourly_stats".getBytes(StandardCharsets.UTF_8);
      byte[] versionedField =
          Hashing.murmur3_32_fixed()
              .hashBytes(
                  ("driver_hourly_stats_v" + VERSION + ":conv_rate")
                      .getBytes(StandardCharsets.UTF_8))
              .asBytes();
      for (byte[] key : keys) {
        assertThat(jedis.hexists(key, versionedTs)).isTrue();
        assertThat(jedis.hexists(key, versionedField)).isTrue();
        assertThat(jedis.hexists(key, plainTs)).isFalse();
      }
    }
  }

  private static List<String> tables(String url) throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        ResultSet rows =
            c.createStatement()
                .executeQuery(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }

  /** Sets meta.current_version_number as Feast 0.66 stores it. */
  private static void setVersion(String url, int version) throws Exception {
    StoredViews.rewrite(
        url,
        "driver_hourly_stats",
        view ->
            view.getMetaBuilder()
                .setUnknownFields(
                    UnknownFieldSet.newBuilder(view.getMeta().getUnknownFields())
                        .addField(4, UnknownFieldSet.Field.newBuilder().addVarint(version).build())
                        .build()));
  }

  private static long version(String url) throws Exception {
    List<Long> values =
        StoredViews.read(url, "driver_hourly_stats")
            .getMeta()
            .getUnknownFields()
            .getField(4)
            .getVarintList();
    return values.isEmpty() ? 0 : values.get(values.size() - 1);
  }
}
