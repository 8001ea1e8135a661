package io.sluice.online.redis;

import io.sluice.common.config.ConfigSection;
import io.sluice.common.config.FeastKeys;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineReader;
import io.sluice.online.OnlineStore;
import io.sluice.online.OnlineWriter;
import io.sluice.online.WriteOptions;
import io.sluice.online.redis.RedisOnlineStoreConfig.RedisType;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feast's Redis online store ({@code type: redis}): a standalone server or a Redis Cluster, written
 * in Feast's layout (one hash per entity key, shared by every view on it). Keys are Feast's own;
 * Feast forbids extra keys in this section, so Sluice adds none.
 */
public final class RedisStore implements OnlineStore<RedisOnlineStoreConfig> {
  private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);

  static final String REDIS_TYPE = "redis_type";
  static final String CONNECTION_STRING = "connection_string";
  static final String KEY_TTL_SECONDS = "key_ttl_seconds";

  /** Feast's unchecked write ({@code true}): Sluice writes as with {@code --force}. */
  static final String SKIP_DEDUP = "skip_dedup";

  /** Feast's; accepted, not needed: it concerns deletion. */
  static final String FULL_SCAN_FOR_DELETION = "full_scan_for_deletion";

  static final String SENTINEL_MASTER = "sentinel_master";

  static final String DEFAULT_CONNECTION_STRING = "localhost:6379";

  /** Keys never expire by default. */
  static final long DEFAULT_KEY_TTL_SECONDS = 0;

  static final String KEYS_PER_SCRIPT_CALL = "keys_per_script_call";
  static final int MAX_KEYS_PER_SCRIPT_CALL = 1000;

  @Override
  public List<String> typeNames() {
    return List.of("redis", "feast.infra.online_stores.redis.RedisOnlineStore");
  }

  @Override
  public Class<RedisOnlineStoreConfig> configClass() {
    return RedisOnlineStoreConfig.class;
  }

  /** {@inheritDoc} The Redis store has no paths: {@code baseDir} is not used. */
  @Override
  public RedisOnlineStoreConfig parse(ConfigSection section, Path baseDir) {
    return parse(section, ConfigSection.of(null, "sluice.redis", null), baseDir);
  }

  /**
   * {@inheritDoc} Sluice's own setting, {@code sluice.redis.keys_per_script_call}: entities per
   * newer-only script call on a standalone server, 1 to {@value #MAX_KEYS_PER_SCRIPT_CALL} (default
   * {@value RedisOnlineStoreConfig#DEFAULT_KEYS_PER_SCRIPT_CALL}; 1 behind a proxy that routes a
   * script by its first key).
   */
  @Override
  public RedisOnlineStoreConfig parse(
      ConfigSection section, ConfigSection sluiceSettings, Path baseDir) {
    int keysPerScriptCall =
        sluiceSettings
            .requireKnownKeys(Set.of(KEYS_PER_SCRIPT_CALL))
            .integer(
                KEYS_PER_SCRIPT_CALL,
                RedisOnlineStoreConfig.DEFAULT_KEYS_PER_SCRIPT_CALL,
                1,
                MAX_KEYS_PER_SCRIPT_CALL);
    return parseFeastSection(section).withKeysPerScriptCall(keysPerScriptCall);
  }

  private RedisOnlineStoreConfig parseFeastSection(ConfigSection section) {
    ConfigSection redis =
        FeastKeys.of(section.withSecrets(CONNECTION_STRING), "redis")
            .honoured(TYPE_KEY, REDIS_TYPE, CONNECTION_STRING, KEY_TTL_SECONDS, SKIP_DEDUP)
            .ignored("only Feast's deletion of views uses it", FULL_SCAN_FOR_DELETION)
            .ignored(
                "used only with redis_type: redis_sentinel, which Sluice refuses", SENTINEL_MASTER)
            .check();
    String redisType = redis.text(REDIS_TYPE, RedisType.REDIS.feastName());
    RedisType parsedType =
        switch (redisType) {
          case "redis" -> RedisType.REDIS;
          case "redis_cluster" -> RedisType.REDIS_CLUSTER;
          case "redis_sentinel" ->
              throw redis.invalid(
                  REDIS_TYPE, "'redis_sentinel' is not supported yet; use redis or redis_cluster");
          default ->
              throw redis.invalid(
                  REDIS_TYPE, "unknown redis_type '" + redisType + "'; use redis or redis_cluster");
        };
    long ttl = redis.longInteger(KEY_TTL_SECONDS, DEFAULT_KEY_TTL_SECONDS, 0, Long.MAX_VALUE);
    String connection = redis.text(CONNECTION_STRING, DEFAULT_CONNECTION_STRING);
    boolean skipDedup = redis.bool(SKIP_DEDUP, false);
    if (skipDedup) {
      LOG.info(
          "{}: skip_dedup: true asks for Feast's unchecked write: every run writes as with --force,"
              + " so an older window can overwrite newer values; Sluice's own newer-only check is"
              + " atomic and pipelined, remove skip_dedup to keep it",
          redis.describe());
    }
    return RedisConnectionString.parse(redis, parsedType, connection, ttl).withSkipDedup(skipDedup);
  }

  @Override
  public OnlineWriter openWriter(
      RedisOnlineStoreConfig config, FeatureViewSchema view, WriteOptions options) {
    return new RedisOnlineWriter(config, view, options);
  }

  @Override
  public OnlineReader openReader(
      RedisOnlineStoreConfig config, FeatureViewSchema view, EntityKeyFormat keyFormat) {
    return new RedisOnlineReader(config, view, keyFormat);
  }

  @Override
  public String location(RedisOnlineStoreConfig config) {
    return config.location();
  }

  @Override
  public boolean needsLocalMode() {
    return false;
  }
}
