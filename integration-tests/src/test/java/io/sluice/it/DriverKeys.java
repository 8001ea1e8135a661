package io.sluice.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Feast's bytes for one INT64 {@code driver_id} entity, written out here by hand (serialization
 * version 3), so the end-to-end tests check what the engine stored without its own encoder.
 */
final class DriverKeys {
  private DriverKeys() {}

  /** The serialized entity key: one join key, its name, then its INT64 value. */
  static byte[] entityKey(long driverId) {
    byte[] name = "driver_id".getBytes(UTF_8);
    return ByteBuffer.allocate(12 + name.length + 16)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(1)
        .putInt(2)
        .putInt(name.length)
        .put(name)
        .putInt(4)
        .putInt(8)
        .putLong(driverId)
        .array();
  }

  /** Feast's Redis key: the entity key, then the project's name. */
  static byte[] redisKey(String project, long driverId) {
    byte[] key = entityKey(driverId);
    byte[] projectBytes = project.getBytes(UTF_8);
    return ByteBuffer.allocate(key.length + projectBytes.length).put(key).put(projectBytes).array();
  }

  /** Feast's Redis hash field of a feature ({@code view:feature}) or of a view's event time. */
  static byte[] murmur(String text) {
    return Hashing.murmur3_32_fixed().hashBytes(text.getBytes(UTF_8)).asBytes();
  }
}
