package io.sluice.online.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.io.BaseEncoding;
import com.google.protobuf.Timestamp;
import io.sluice.common.feast.ProtoTimestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Redis field names, DynamoDB keys and timestamp texts, against Feast's facts. */
class StoreLayoutTest {
  private static final BaseEncoding HEX = BaseEncoding.base16().lowerCase();

  @Test
  void redisFeatureFieldsMatchFeastVectors() {
    assertThat(HEX.encode(RedisFields.featureField("feature_view_1", "feature_10")))
        .isEqualTo("266d5f39");
    assertThat(HEX.encode(RedisFields.featureField("feature_view_1", "feature_11")))
        .isEqualTo("c3379abf");
    assertThat(HEX.encode(RedisFields.featureField("feature_view_1", "feature_12")))
        .isEqualTo("7772b564");
  }

  @Test
  void redisKeyIsEntityKeyThenProject() {
    byte[] entityKey =
        HEX.decode("01000000020000000600000065" + "6e7469747903000000040000000" + "1000000");
    assertThat(HEX.encode(RedisFields.key(entityKey, "test".getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(HEX.encode(entityKey) + "74657374");
    assertThat(
            new String(RedisFields.timestampField("driver_hourly_stats"), StandardCharsets.UTF_8))
        .isEqualTo("_ts:driver_hourly_stats");
  }

  @Test
  void redisTimestampIsAProtobufTimestamp() throws Exception {
    Instant instant = Instant.parse("2024-05-01T10:00:00.123456789Z");
    Timestamp parsed = Timestamp.parseFrom(ProtoTimestamps.toProto(instant).toByteArray());
    assertThat(parsed.getSeconds()).isEqualTo(instant.getEpochSecond());
    assertThat(parsed.getNanos()).isEqualTo(123456789);
    assertThat(ProtoTimestamps.toInstant(parsed)).isEqualTo(instant);
  }

  @Test
  void dynamoDbEntityIdIsMurmur3x64HexOfTheKeyBytes() {
    // Published MurmurHash3_x64_128 (seed 0) vector: h1 = e34bbc7bbc071b6c, h2 = 7a433ca9c49a9347,
    // written as their little-endian bytes, as Python's mmh3.hash_bytes(...).hex() prints them.
    byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);
    assertThat(DynamoDbKeys.entityId(fox)).isEqualTo("6c1b07bc7bbc4be347939ac4a93c437a");
    assertThat(DynamoDbKeys.entityId(new byte[0])).isEqualTo("0".repeat(32));
  }

  @Test
  void timestampTextsShowMicrosecondsOnlyWhenNotZero() {
    assertThat(FeastTimestamps.naiveUtcText(Instant.parse("2021-04-12T10:59:42Z")))
        .isEqualTo("2021-04-12 10:59:42");
    assertThat(FeastTimestamps.naiveUtcText(Instant.parse("2021-04-12T10:59:42.000123999Z")))
        .isEqualTo("2021-04-12 10:59:42.000123");
    assertThat(FeastTimestamps.dynamoDbText(Instant.parse("2021-04-12T10:59:42.5Z")))
        .isEqualTo("2021-04-12 10:59:42.500000+00:00");
    assertThat(FeastTimestamps.dynamoDbText(Instant.parse("2021-04-12T10:59:42Z")))
        .isEqualTo("2021-04-12 10:59:42+00:00");
  }

  @Test
  void timestampTextsOrderLikeTheInstants() {
    Instant[] instants = {
      Instant.parse("2021-04-12T10:59:41.999999Z"),
      Instant.parse("2021-04-12T10:59:42Z"),
      Instant.parse("2021-04-12T10:59:42.000001Z"),
      Instant.parse("2021-04-12T10:59:42.5Z"),
      Instant.parse("2021-04-12T10:59:43Z"),
    };
    for (int i = 1; i < instants.length; i++) {
      assertThat(FeastTimestamps.naiveUtcText(instants[i - 1]))
          .isLessThan(FeastTimestamps.naiveUtcText(instants[i]));
    }
  }
}
