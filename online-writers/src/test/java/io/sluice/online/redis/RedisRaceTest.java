package io.sluice.online.redis;

import io.sluice.online.RaceAssertions;
import io.sluice.online.RaceAssertions.Held;
import io.sluice.online.RaceWorkload;
import io.sluice.online.TestViews;
import io.sluice.online.WriteOptions;
import io.sluice.online.stores.OnlineStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Writers racing on the same 10k keys with shuffled event times always leave the newest. */
@Timeout(300)
class RedisRaceTest extends RedisServerTestBase {

  @Test
  void eightThreadsRacingLeaveTheNewestValueOfEveryKey() throws Exception {
    RaceAssertions.raceThreads(
        8,
        () ->
            OnlineStores.openWriter(
                RedisStores.config(server.port()), RaceWorkload.view(), WriteOptions.defaults()));
    RaceAssertions.assertNewestWins(8, RedisRaceTest::held);
  }

  @Test
  void fourProcessesRacingLeaveTheNewestValueOfEveryKey() {
    RaceAssertions.raceProcesses(
        4, "{\"type\":\"redis\",\"connection_string\":\"" + server.hostAndPort() + "\"}");
    RaceAssertions.assertNewestWins(4, RedisRaceTest::held);
  }

  static Held held(int key) {
    RedisStores.Stored stored =
        RedisStores.read(redis, RaceWorkload.view(), TestViews.int64EntityKey("id", key));
    return stored == null
        ? null
        : new Held(
            stored.eventTime(),
            stored.values().get("ts_copy").getInt64Val(),
            stored.values().get("writer_free").getInt64Val());
  }
}
