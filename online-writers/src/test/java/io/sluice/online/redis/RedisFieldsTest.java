package io.sluice.online.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.io.BaseEncoding;
import com.google.protobuf.Timestamp;
import io.sluice.common.feast.ProtoTimestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Redis keys, field names and the timestamp field's value, against Feast's facts. */
class RedisFieldsTest {
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
}
