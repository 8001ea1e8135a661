package io.sluice.online.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.hash.Hashing;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import feast.proto.types.ValueProto.Value;
import io.sluice.common.feast.Column;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.redis.RedisOnlineStoreConfig.Node;
import io.sluice.online.redis.RedisOnlineStoreConfig.RedisType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * Test-side reading of Feast's Redis layout, written from Feast's facts (key = entity key bytes
 * then the project; field = MurmurHash3 x86 32 of "view:feature", little-endian; {@code _ts:<view>}
 * = a serialized Timestamp) rather than with the writer's own classes, so a mistake in the writer
 * cannot hide in the check.
 */
final class RedisStores {
  private RedisStores() {}

  static RedisOnlineStoreConfig config(int port) {
    return config(port, null, 0, 0);
  }

  /** A standalone server on 127.0.0.1 with a password (or null), a db and a key ttl. */
  static RedisOnlineStoreConfig config(int port, String password, int database, long ttl) {
    return new RedisOnlineStoreConfig(
        RedisType.REDIS,
        List.of(new Node("127.0.0.1", port)),
        null,
        password,
        false,
        database,
        ttl);
  }

  /** What Feast's reader would see for one entity of one view: its event time and values. */
  record Stored(Instant eventTime, Map<String, Value> values) {}

  static Stored read(UnifiedJedis redis, FeatureViewSchema view, byte[] entityKey) {
    byte[] key = concat(entityKey, view.project().getBytes(UTF_8));
    Map<byte[], byte[]> hash = redis.hgetAll(key);
    if (hash.isEmpty()) {
      return null;
    }
    Map<String, byte[]> byField = new LinkedHashMap<>();
    hash.forEach((field, value) -> byField.put(hex(field), value));
    try {
      byte[] ts = byField.get(hex(("_ts:" + view.name()).getBytes(UTF_8)));
      if (ts == null) {
        return null;
      }
      Timestamp timestamp = Timestamp.parseFrom(ts);
      Map<String, Value> values = new LinkedHashMap<>();
      for (Column feature : view.features()) {
        byte[] field =
            Hashing.murmur3_32_fixed()
                .hashBytes((view.name() + ":" + feature.name()).getBytes(UTF_8))
                .asBytes();
        byte[] value = byField.get(hex(field));
        values.put(feature.name(), value == null ? null : Value.parseFrom(value));
      }
      return new Stored(
          Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()), values);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("Stored bytes are not Feast protos", e);
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = new byte[a.length + b.length];
    System.arraycopy(a, 0, joined, 0, a.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }

  private static String hex(byte[] bytes) {
    return com.google.common.io.BaseEncoding.base16().encode(bytes);
  }
}
