package io.sluice.online.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Feast's DynamoDB item layout: the entity_id hash and the event_ts text. */
class DynamoDbKeysTest {
  @Test
  void dynamoDbEntityIdIsMurmur3x64HexOfTheKeyBytes() {
    // Published MurmurHash3_x64_128 (seed 0) vector: h1 = e34bbc7bbc071b6c, h2 = 7a433ca9c49a9347,
    // written as their little-endian bytes, as Python's mmh3.hash_bytes(...).hex() prints them.
    byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);
    assertThat(DynamoDbKeys.entityId(fox)).isEqualTo("6c1b07bc7bbc4be347939ac4a93c437a");
    assertThat(DynamoDbKeys.entityId(new byte[0])).isEqualTo("0".repeat(32));
  }

  @Test
  void eventTimestampTextIsNaiveUtcWithAnExplicitOffset() {
    assertThat(DynamoDbKeys.eventTimestampText(Instant.parse("2021-04-12T10:59:42.5Z")))
        .isEqualTo("2021-04-12 10:59:42.500000+00:00");
    assertThat(DynamoDbKeys.eventTimestampText(Instant.parse("2021-04-12T10:59:42Z")))
        .isEqualTo("2021-04-12 10:59:42+00:00");
  }
}
