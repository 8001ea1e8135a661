package io.sluice.online.redis;

import static io.sluice.online.TestViews.driverRows;
import static io.sluice.online.TestViews.driverStats;
import static io.sluice.online.TestViews.int64EntityKey;
import static io.sluice.online.TestViews.options;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import feast.proto.types.ValueProto.Value;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.InvalidFeatureValueException;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineStoreException;
import io.sluice.online.OnlineStoreUnavailableException;
import io.sluice.online.OnlineWriter;
import io.sluice.online.TestViews;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.format.EntityKeySerializer;
import io.sluice.online.stores.OnlineStores;
import io.sluice.testing.RedisServer;
import io.sluice.testing.ServerProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;

/** The Redis writer against a real redis-server. */
class RedisOnlineWriterTest extends RedisServerTestBase {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.250Z");

  private static OnlineWriter open(FeatureViewSchema view, WriteMode mode) {
    return OnlineStores.openWriter(RedisStores.config(server.port()), view, options(mode));
  }

  /** What a failure says stays written, and how many rows of its batch were not. */
  /** The rows acknowledged (retries aside: how many fit in a budget depends on timing). */
  private static void assertProgress(Throwable e, WriteStats acknowledged, long rowsNotWritten) {
    OnlineStoreException failure = (OnlineStoreException) e;
    assertThat(failure.acknowledged().written()).isEqualTo(acknowledged.written());
    assertThat(failure.acknowledged().skippedNotNewer()).isEqualTo(acknowledged.skippedNotNewer());
    assertThat(failure.acknowledged().throttled()).as("Redis never throttles").isZero();
    assertThat(failure.rowsNotWritten()).isEqualTo(rowsNotWritten);
  }

  private static RedisStores.Stored stored(FeatureViewSchema view, long driverId) {
    return RedisStores.read(redis, view, int64EntityKey("driver_id", driverId));
  }

  @Test
  void whatIsWrittenReadsBackAsTheInputRows() {
    List<FeatureRow> rows = driverRows(1000, 300, T0, 1);
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      assertThat(writer.write(rows)).isEqualTo(new WriteStats(300, 0));
    }
    for (FeatureRow row : rows) {
      RedisStores.Stored stored = stored(driverStats(), (Long) row.joinKeyValues().get(0));
      assertThat(stored).isNotNull();
      assertThat(stored.eventTime()).isEqualTo(T0);
      List<Object> in = row.featureValues();
      assertThat(stored.values().get("conv_rate").getFloatVal()).isEqualTo((Float) in.get(0));
      assertThat(stored.values().get("acc_rate").getDoubleVal()).isEqualTo((Double) in.get(1));
      assertThat(stored.values().get("trips").getInt64Val()).isEqualTo((Long) in.get(2));
      assertThat(stored.values().get("name").getStringVal()).isEqualTo(in.get(3));
      assertThat(stored.values().get("tags").getStringListVal().getValList()).isEqualTo(in.get(4));
      Value active = stored.values().get("active");
      if (in.get(5) == null) {
        assertThat(active.getValCase()).isEqualTo(Value.ValCase.VAL_NOT_SET);
      } else {
        assertThat(active.getBoolVal()).isEqualTo(in.get(5));
      }
    }
    assertThat(redis.dbSize()).isEqualTo(300);
  }

  @Test
  void olderEventNeverOverwritesNewer() {
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      writer.write(driverRows(1, 10, T0, 1));
      WriteStats older = writer.write(driverRows(1, 10, T0.minusNanos(1000), 2));
      assertThat(older).isEqualTo(new WriteStats(0, 10));
      WriteStats newer = writer.write(driverRows(1, 10, T0.plusNanos(1000), 3));
      assertThat(newer).isEqualTo(new WriteStats(10, 0));
      assertThat(writer.stats()).isEqualTo(new WriteStats(20, 10));
    }
    List<FeatureRow> expected = driverRows(1, 10, T0.plusNanos(1000), 3);
    assertThat(stored(driverStats(), 1).eventTime()).isEqualTo(T0.plusNanos(1000));
    assertThat(stored(driverStats(), 1).values().get("trips").getInt64Val())
        .isEqualTo(expected.get(0).featureValues().get(2));
  }

  @Test
  void aBatchOverSeveralScriptCallsCountsEachRowAndAKeyOfAnotherTypeFailsOnlyItself() {
    int rows = 3 * RedisOnlineStoreConfig.DEFAULT_KEYS_PER_SCRIPT_CALL + 17;
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      // Every third entity already holds a newer value; one key in the middle of the second
      // script call is not a hash.
      List<FeatureRow> newer = new ArrayList<>();
      for (FeatureRow row : driverRows(1, rows, T0.plusSeconds(1), 1)) {
        if ((Long) row.joinKeyValues().get(0) % 3 == 0) {
          newer.add(row);
        }
      }
      writer.write(newer);
      long taken = RedisOnlineStoreConfig.DEFAULT_KEYS_PER_SCRIPT_CALL + 51;
      redis.set(
          RedisStores.concat(int64EntityKey("driver_id", taken), "test".getBytes(UTF_8)),
          "not a hash".getBytes(UTF_8));
      resetStats();
      assertThatThrownBy(() -> writer.write(driverRows(1, rows, T0, 2)))
          .isInstanceOf(InvalidOnlineStoreConfigException.class)
          .hasMessageContaining("WRONGTYPE")
          .satisfies(
              e ->
                  assertProgress(
                      e, new WriteStats(newer.size() + rows - newer.size() - 1, newer.size()), 1));
      assertThat(evalshaCalls()).as("script calls of 100, 100, 100 and 17 rows").isEqualTo(4);
    }
    List<FeatureRow> second = driverRows(1, rows, T0, 2);
    List<FeatureRow> first = driverRows(1, rows, T0.plusSeconds(1), 1);
    for (int i = 0; i < rows; i++) {
      long id = i + 1;
      if (id == RedisOnlineStoreConfig.DEFAULT_KEYS_PER_SCRIPT_CALL + 51) {
        continue;
      }
      FeatureRow expected = id % 3 == 0 ? first.get(i) : second.get(i);
      assertThat(stored(driverStats(), id).eventTime()).isEqualTo(expected.eventTimestamp());
      assertThat(stored(driverStats(), id).values().get("trips").getInt64Val())
          .isEqualTo(expected.featureValues().get(2));
    }
  }

  @Test
  void keysPerScriptCallSetsTheEntitiesOfEachCall() {
    for (int keys : new int[] {1, 7}) {
      redis.flushAll();
      resetStats();
      try (OnlineWriter writer =
          OnlineStores.openWriter(
              RedisStores.config(server.port()).withKeysPerScriptCall(keys),
              driverStats(),
              options(WriteMode.NEWER_ONLY))) {
        assertThat(writer.write(driverRows(1, 50, T0, 1))).isEqualTo(new WriteStats(50, 0));
        assertThat(writer.write(driverRows(1, 50, T0, 2))).isEqualTo(new WriteStats(0, 50));
      }
      assertThat(evalshaCalls()).isEqualTo(keys == 1 ? 100 : 2 * 8);
    }
  }

  private static void resetStats() {
    try (Jedis admin = new Jedis("127.0.0.1", server.port())) {
      admin.configResetStat();
    }
  }

  /** EVALSHA calls the server ran since its stats were reset. */
  private static long evalshaCalls() {
    String stats;
    try (Jedis admin = new Jedis("127.0.0.1", server.port())) {
      stats = admin.info("commandstats");
    }
    for (String line : stats.split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:")) {
        return Long.parseLong(line.replaceAll("^cmdstat_evalsha:calls=(\\d+),.*", "$1").strip());
      }
    }
    return 0;
  }

  @Test
  void equalEventTimeIsNotRewrittenButForceRewritesIt() {
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      writer.write(driverRows(1, 5, T0, 1));
      assertThat(writer.write(driverRows(1, 5, T0, 2))).isEqualTo(new WriteStats(0, 5));
    }
    long first = (Long) driverRows(1, 5, T0, 1).get(0).featureValues().get(2);
    assertThat(stored(driverStats(), 1).values().get("trips").getInt64Val()).isEqualTo(first);

    try (OnlineWriter writer = open(driverStats(), WriteMode.FORCE)) {
      assertThat(writer.write(driverRows(1, 5, T0.minusSeconds(60), 2)))
          .isEqualTo(new WriteStats(5, 0));
    }
    long forced = (Long) driverRows(1, 5, T0, 2).get(0).featureValues().get(2);
    assertThat(stored(driverStats(), 1).values().get("trips").getInt64Val()).isEqualTo(forced);
    assertThat(stored(driverStats(), 1).eventTime()).isEqualTo(T0.minusSeconds(60));
  }

  @Test
  void viewsOnOneEntityShareOneHashAndKeepTheirOwnTimestamps() {
    FeatureViewSchema profile = TestViews.driverProfile();
    try (OnlineWriter stats = open(driverStats(), WriteMode.NEWER_ONLY);
        OnlineWriter profiles = open(profile, WriteMode.NEWER_ONLY)) {
      stats.write(driverRows(7, 1, T0, 1));
      profiles.write(List.of(FeatureRow.of(List.of(7L), T0.minusSeconds(5), List.of(4.5d))));
    }
    assertThat(redis.dbSize()).isEqualTo(1);
    assertThat(stored(profile, 7).values().get("rating").getDoubleVal()).isEqualTo(4.5d);
    assertThat(stored(profile, 7).eventTime()).isEqualTo(T0.minusSeconds(5));
    assertThat(stored(driverStats(), 7).eventTime()).isEqualTo(T0);
  }

  @Test
  void keyTtlIsSetOnEveryWrittenKeyInBothModes() {
    RedisOnlineStoreConfig withTtl = RedisStores.config(server.port(), null, 0, 3600);
    for (WriteMode mode : WriteMode.values()) {
      redis.flushAll();
      try (OnlineWriter writer = OnlineStores.openWriter(withTtl, driverStats(), options(mode))) {
        writer.write(driverRows(1, 3, T0, 1));
      }
      byte[] key = RedisStores.concat(int64EntityKey("driver_id", 2), "test".getBytes(UTF_8));
      assertThat(redis.ttl(key)).as(mode.name()).isBetween(3500L, 3600L);
    }
  }

  @Test
  void databaseFromTheConnectionStringIsUsed() {
    RedisOnlineStoreConfig db3 = RedisStores.config(server.port(), null, 3, 0);
    try (OnlineWriter writer =
        OnlineStores.openWriter(db3, driverStats(), WriteOptions.defaults())) {
      writer.write(driverRows(1, 4, T0, 1));
    }
    assertThat(redis.dbSize()).isZero();
    try (JedisPooled database3 =
        new JedisPooled(
            new HostAndPort("127.0.0.1", server.port()),
            DefaultJedisClientConfig.builder().database(3).build())) {
      assertThat(database3.dbSize()).isEqualTo(4);
    }
  }

  @Test
  void entitylessViewsWriteUnderFeastsDummyKey() {
    FeatureViewSchema global =
        new FeatureViewSchema("test", "global_stats", List.of(), driverStats().features());
    FeatureRow row = driverRows(0, 1, T0, 5).get(0);
    try (OnlineWriter writer = open(global, WriteMode.NEWER_ONLY)) {
      writer.write(List.of(FeatureRow.of(List.of(), T0, row.featureValues())));
    }
    byte[] dummy =
        new EntityKeySerializer(List.of(), io.sluice.online.EntityKeyFormat.V3)
            .serialize(List.of());
    RedisStores.Stored stored = RedisStores.read(redis, global, dummy);
    assertThat(stored.values().get("name").getStringVal()).isEqualTo(row.featureValues().get(3));
  }

  @Test
  void aFlushedScriptCacheIsReloadedWithoutLosingRows() {
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      writer.write(driverRows(1, 10, T0, 1));
      redis.scriptFlush();
      // One retry: the NOSCRIPT reply sends the batch again with the script reloaded.
      assertThat(writer.write(driverRows(11, 10, T0, 1))).isEqualTo(new WriteStats(10, 0, 1, 0));
    }
    assertThat(redis.dbSize()).isEqualTo(20);
  }

  @Test
  void valueOfTheWrongTypeFailsTheBatchAndEarlierBatchesStayWritten() {
    List<FeatureRow> bad = new ArrayList<>(driverRows(100, 10, T0, 2));
    List<Object> values = new ArrayList<>(bad.get(4).featureValues());
    values.set(0, "fast");
    bad.set(4, FeatureRow.of(List.of(104L), T0, values));
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      writer.write(driverRows(1, 10, T0, 1));
      assertThatThrownBy(() -> writer.write(bad))
          .isInstanceOf(InvalidFeatureValueException.class)
          .hasMessage(
              "Cannot write feature view driver_hourly_stats for entity [104]: Invalid value for"
                  + " conv_rate (declared FLOAT): fast (String) does not fit FLOAT")
          .satisfies(e -> assertProgress(e, new WriteStats(10, 0), 10));
    }
    assertThat(redis.dbSize()).isEqualTo(10);
  }

  @Test
  void nullJoinKeyIsAClearError() {
    FeatureRow row = driverRows(1, 1, T0, 1).get(0);
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      assertThatThrownBy(
              () ->
                  writer.write(
                      List.of(
                          FeatureRow.of(Arrays.asList((Object) null), T0, row.featureValues()))))
          .isInstanceOf(InvalidFeatureValueException.class)
          .hasMessage(
              "Cannot write feature view driver_hourly_stats: Invalid entity key: join key"
                  + " driver_id is null");
    }
    assertThat(redis.dbSize()).isZero();
  }

  @Test
  void wrongPasswordIsAConfigurationError() {
    try (RedisServer secured = RedisServer.start("s3cret", List.of())) {
      RedisOnlineStoreConfig wrong = RedisStores.config(secured.port(), "nope", 0, 0);
      assertThatThrownBy(
              () -> OnlineStores.openWriter(wrong, driverStats(), WriteOptions.defaults()))
          .isInstanceOf(InvalidOnlineStoreConfigException.class)
          .hasMessageStartingWith("Cannot authenticate to Redis at [127.0.0.1:" + secured.port())
          .hasMessageContaining("check username/password in online_store.connection_string")
          .hasMessageEndingWith(
              "; 0 rows of this batch not written, 0 rows acknowledged (0 written, 0 skipped as"
                  + " not newer) stay written")
          .hasMessageNotContaining("nope");

      RedisOnlineStoreConfig right = RedisStores.config(secured.port(), "s3cret", 0, 0);
      try (OnlineWriter writer =
          OnlineStores.openWriter(right, driverStats(), WriteOptions.defaults())) {
        assertThat(writer.write(driverRows(1, 2, T0, 1))).isEqualTo(new WriteStats(2, 0));
      }
    }
  }

  @Test
  void aCommandTheServerRejectsIsAConfigurationErrorWithExactCounts() {
    byte[] taken = RedisStores.concat(int64EntityKey("driver_id", 2), "test".getBytes(UTF_8));
    redis.set(taken, "not a hash".getBytes(UTF_8));
    try (OnlineWriter writer = open(driverStats(), WriteMode.NEWER_ONLY)) {
      assertThatThrownBy(() -> writer.write(driverRows(1, 3, T0, 1)))
          .isInstanceOf(InvalidOnlineStoreConfigException.class)
          .hasMessageStartingWith(
              "Redis at [127.0.0.1:"
                  + server.port()
                  + "] rejected write 3 rows of driver_hourly_stats to Redis: ")
          .hasMessageContaining("WRONGTYPE")
          .hasMessageEndingWith(
              "; 1 rows of this batch not written, 2 rows acknowledged (2 written, 0 skipped as"
                  + " not newer) stay written")
          .satisfies(e -> assertProgress(e, new WriteStats(2, 0), 1));
      assertThat(writer.stats()).isEqualTo(new WriteStats(2, 0));
    }
  }

  @Test
  void unreachableRedisFailsAfterTheRetryBudgetNamingHost() {
    int closedPort = ServerProcess.freePort();
    WriteOptions shortBudget = WriteOptions.defaults().withRetryBudget(Duration.ofMillis(500));
    assertThatThrownBy(
            () ->
                OnlineStores.openWriter(RedisStores.config(closedPort), driverStats(), shortBudget))
        .isInstanceOf(OnlineStoreUnavailableException.class)
        .hasMessageStartingWith(
            "Cannot connect to Redis at [127.0.0.1:"
                + closedPort
                + "] within the retry budget of 0.5 s: Failed to connect to")
        .hasMessageContaining("within the retry budget of 0.5 s")
        .hasMessageEndingWith(
            "; 0 rows of this batch not written, 0 rows acknowledged (0 written, 0 skipped as"
                + " not newer) stay written");
  }

  @Test
  void aZeroRetryBudgetMeansOneAttempt() {
    int closedPort = ServerProcess.freePort();
    WriteOptions noRetries = WriteOptions.defaults().withRetryBudget(Duration.ZERO);
    assertThatThrownBy(
            () -> OnlineStores.openWriter(RedisStores.config(closedPort), driverStats(), noRetries))
        .isInstanceOf(OnlineStoreUnavailableException.class)
        .hasMessageContaining("within the retry budget of 0 s")
        .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
  }

  @Test
  void serverLostMidRunReportsWhatWasAcknowledged() {
    RedisServer doomed = RedisServer.start();
    WriteOptions shortBudget = WriteOptions.defaults().withRetryBudget(Duration.ofMillis(500));
    try (OnlineWriter writer =
        OnlineStores.openWriter(RedisStores.config(doomed.port()), driverStats(), shortBudget)) {
      writer.write(driverRows(1, 25, T0, 1));
      doomed.close();
      assertThatThrownBy(() -> writer.write(driverRows(26, 40, T0, 1)))
          .isInstanceOf(OnlineStoreUnavailableException.class)
          .hasMessageStartingWith(
              "Cannot write 40 rows of driver_hourly_stats to Redis at [127.0.0.1:"
                  + doomed.port()
                  + "] within the retry budget of 0.5 s: ")
          .hasMessageContaining(
              "40 rows of this batch not written, 25 rows acknowledged (25 written, 0"
                  + " skipped as not newer) stay written")
          .satisfies(e -> assertProgress(e, new WriteStats(25, 0), 40))
          .satisfies(
              e ->
                  assertThat(((OnlineStoreException) e).acknowledged().retries())
                      .as("the lost connection was retried, and each retry counted")
                      .isPositive());
      assertThat(writer.stats().retries()).isPositive();
    }
  }
}
