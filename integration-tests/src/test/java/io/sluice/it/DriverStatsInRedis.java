package io.sluice.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import feast.proto.types.ValueProto.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * What the end-to-end tests' generated driver stats (rows of driver_id, event time, conv_rate as a
 * double, trips as an int) should leave in Redis, checked against Feast's layout decoded by hand.
 */
final class DriverStatsInRedis {
  private DriverStatsInRedis() {}

  /**
   * Asserts that Redis holds, for every driver of {@code data} with a row in {@code [start, end)},
   * its latest row's event time, {@code conv_rate} and {@code trips} in Feast's layout (view {@code
   * view} of project {@code project}); read with pipelined HMGETs.
   */
  static void assertHoldsLatest(
      JedisPooled store, String project, String view, List<Row> data, Instant start, Instant end) {
    Map<Long, Row> expected = new TreeMap<>();
    for (Row row : data) {
      Instant event = (Instant) row.get(1);
      if (!event.isBefore(start) && event.isBefore(end)) {
        Row current = expected.get(row.getLong(0));
        if (current == null || ((Instant) current.get(1)).isBefore(event)) {
          expected.put(row.getLong(0), row);
        }
      }
    }
    byte[] tsField = ("_ts:" + view).getBytes(UTF_8);
    byte[] rateField = DriverKeys.murmur(view + ":conv_rate");
    byte[] tripsField = DriverKeys.murmur(view + ":trips");
    List<Response<List<byte[]>>> responses = new ArrayList<>();
    try (Pipeline pipeline = store.pipelined()) {
      for (Row want : expected.values()) {
        responses.add(
            pipeline.hmget(
                DriverKeys.redisKey(project, want.getLong(0)), tsField, rateField, tripsField));
      }
    }
    List<String> wrong = new ArrayList<>();
    int index = 0;
    for (Row want : expected.values()) {
      List<byte[]> stored = responses.get(index++).get();
      try {
        Timestamp ts = Timestamp.parseFrom(stored.get(0));
        Instant event = Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
        float rate = Value.parseFrom(stored.get(1)).getFloatVal();
        long trips = Value.parseFrom(stored.get(2)).getInt64Val();
        if (!event.equals(want.get(1))
            || rate != (float) want.getDouble(2)
            || trips != want.getInt(3)) {
          wrong.add(want + " stored as " + event + "," + rate + "," + trips);
        }
      } catch (Exception e) {
        wrong.add(want + ": " + e);
      }
    }
    assertThat(wrong).isEmpty();
  }
}
