package io.sluice.online.redis;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;

/** Feast's Redis layout: the key of an entity's hash and the names of its fields. */
public final class RedisFields {
  private RedisFields() {}

  /** The hash key: entity key bytes immediately followed by the project name in UTF-8. */
  public static byte[] key(byte[] entityKey, byte[] project) {
    byte[] key = new byte[entityKey.length + project.length];
    System.arraycopy(entityKey, 0, key, 0, entityKey.length);
    System.arraycopy(project, 0, key, entityKey.length, project.length);
    return key;
  }

  /**
   * A feature's field: MurmurHash3 x86 32-bit (seed 0) of {@code "<view>:<feature>"}, as 4 bytes
   * little-endian.
   */
  public static byte[] featureField(String featureView, String feature) {
    byte[] name = (featureView + ":" + feature).getBytes(StandardCharsets.UTF_8);
    return Hashing.murmur3_32_fixed().hashBytes(name).asBytes();
  }

  /** The field holding the view's event timestamp: {@code _ts:<view>} in UTF-8. */
  public static byte[] timestampField(String featureView) {
    return ("_ts:" + featureView).getBytes(StandardCharsets.UTF_8);
  }
}
