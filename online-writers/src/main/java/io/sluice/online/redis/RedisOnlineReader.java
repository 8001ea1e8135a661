package io.sluice.online.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import feast.proto.types.ValueProto.Value;
import io.sluice.common.feast.ProtoTimestamps;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineReader;
import io.sluice.online.format.EntityKeySerializer;
import io.sluice.online.format.ValueDecoder;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.UnifiedJedis;

/** Reads one view's values back from Feast's Redis layout with one HMGET per entity. */
final class RedisOnlineReader implements OnlineReader {
  private final FeatureViewSchema view;
  private final EntityKeySerializer keys;
  private final UnifiedJedis client;
  private final byte[] project;
  private final byte[][] fields;

  RedisOnlineReader(
      RedisOnlineStoreConfig config, FeatureViewSchema view, EntityKeyFormat keyFormat) {
    this.view = view;
    this.keys = new EntityKeySerializer(view.joinKeys(), keyFormat);
    this.client = RedisConnections.open(config);
    this.project = view.project().getBytes(UTF_8);
    List<byte[]> names = new ArrayList<>();
    names.add(RedisFields.timestampField(view.name()));
    view.features().forEach(f -> names.add(RedisFields.featureField(view.name(), f.name())));
    this.fields = names.toArray(byte[][]::new);
  }

  @Override
  public Optional<StoredValues> read(List<Object> joinKeyValues) {
    List<byte[]> stored =
        client.hmget(RedisFields.key(keys.serialize(joinKeyValues), project), fields);
    if (stored.get(0) == null) {
      return Optional.empty();
    }
    try {
      Timestamp timestamp = Timestamp.parseFrom(stored.get(0));
      Map<String, Object> values = new LinkedHashMap<>();
      for (int i = 0; i < view.features().size(); i++) {
        byte[] value = stored.get(i + 1);
        values.put(
            view.features().get(i).name(),
            value == null ? null : ValueDecoder.toJava(Value.parseFrom(value)));
      }
      return Optional.of(new StoredValues(ProtoTimestamps.toInstant(timestamp), values));
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
