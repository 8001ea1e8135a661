package io.sluice.online.encoding;

import com.google.common.hash.Hashing;

/** Feast's DynamoDB item key (FEAST_COMPAT.md). */
public final class DynamoDbKeys {
  private DynamoDbKeys() {}

  /**
   * The {@code entity_id}: lowercase hex (32 characters) of MurmurHash3 x64 128-bit, seed 0, of the
   * entity key bytes (without the project).
   */
  public static String entityId(byte[] entityKey) {
    return Hashing.murmur3_128().hashBytes(entityKey).toString();
  }
}
