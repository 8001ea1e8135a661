package io.sluice.online.stores;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureRow;
import io.sluice.online.OnlineReader;
import io.sluice.online.OnlineStoreConfig;
import io.sluice.online.OnlineWriter;
import io.sluice.online.TestViews;
import io.sluice.online.WriteOptions;
import io.sluice.online.redis.RedisOnlineStoreConfig;
import io.sluice.online.redis.RedisOnlineStoreConfig.Node;
import io.sluice.online.redis.RedisOnlineStoreConfig.RedisType;
import io.sluice.online.sqlite.SqliteOnlineStoreConfig;
import io.sluice.testing.RedisServer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a writer stored reads back as the input row, from SQLite and from a real Redis; the event
 * time to the precision each store keeps (SQLite: whole seconds, as Feast).
 */
class OnlineReaderTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.123456Z");
  @TempDir Path dir;

  @Test
  void sqliteReadsBackWhatWasWritten() {
    roundTrip(
        new SqliteOnlineStoreConfig(dir.resolve("online.db").toString()),
        T0.truncatedTo(ChronoUnit.SECONDS));
  }

  @Test
  void redisReadsBackWhatWasWritten() {
    try (RedisServer server = RedisServer.start()) {
      roundTrip(
          new RedisOnlineStoreConfig(
              RedisType.REDIS,
              List.of(new Node("127.0.0.1", server.port())),
              null,
              null,
              false,
              0,
              0),
          T0);
    }
  }

  private static void roundTrip(OnlineStoreConfig store, Instant storedEventTime) {
    List<FeatureRow> rows = TestViews.driverRows(1, 20, T0, 3);
    try (OnlineWriter writer =
        OnlineStores.openWriter(store, TestViews.driverStats(), WriteOptions.defaults())) {
      writer.write(rows);
    }
    try (OnlineReader reader =
        OnlineStores.openReader(store, TestViews.driverStats(), EntityKeyFormat.V3)) {
      for (FeatureRow row : rows) {
        OnlineReader.StoredValues stored = reader.read(row.joinKeyValues()).orElseThrow();
        assertThat(stored.eventTimestamp()).isEqualTo(storedEventTime);
        assertThat(stored.values().values()).containsExactlyElementsOf(row.featureValues());
      }
      assertThat(reader.read(List.of(999L))).isEmpty();
    }
  }
}
