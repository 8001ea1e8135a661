package io.sluice.online.dynamodb;

import com.google.common.hash.Hashing;
import io.sluice.online.format.FeastTimestamps;
import java.time.Instant;

/**
 * Feast's DynamoDB item layout: the {@code entity_id} hash key and the {@code event_ts} text of
 * each item.
 */
public final class DynamoDbKeys {
  private DynamoDbKeys() {}

  /**
   * The {@code entity_id}: lowercase hex (32 characters) of MurmurHash3 x64 128-bit, seed 0, of the
   * entity key bytes (without the project).
   */
  public static String entityId(byte[] entityKey) {
    return Hashing.murmur3_128().hashBytes(entityKey).toString();
  }

  /**
   * The {@code event_ts}: naive UTC text with an explicit {@code +00:00}, never {@code Z} (Feast's
   * Go reader rejects {@code Z}).
   */
  public static String eventTimestampText(Instant instant) {
    return FeastTimestamps.naiveUtcText(instant) + "+00:00";
  }
}
