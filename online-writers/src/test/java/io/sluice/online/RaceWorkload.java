package io.sluice.online;

import static feast.proto.types.ValueProto.ValueType.Enum.INT64;

import com.google.common.hash.Hashing;
import io.sluice.common.feast.Column;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Writers racing on the same keys: writer {@code w} writes every key once, in its own shuffled
 * order, with an event time that depends on (w, key). Values are a function of (key, event time),
 * so whichever writer wins a tie leaves the same values. Afterwards every key must hold the values
 * of its greatest event time across writers.
 */
public final class RaceWorkload {
  public static final int KEYS = 10_000;
  public static final int BATCH = 500;
  private static final Instant BASE = Instant.parse("2024-01-01T00:00:00Z");

  private RaceWorkload() {}

  public static FeatureViewSchema view() {
    return new FeatureViewSchema(
        TestViews.PROJECT,
        "race",
        List.of(new Column("id", INT64)),
        List.of(new Column("ts_copy", INT64), new Column("writer_free", INT64)));
  }

  /**
   * Writer {@code writer}'s event time for {@code key}: one of 1000 seconds, with micros that
   * depend on the second only (two times in one second are equal, so a store keeping whole seconds
   * faces no tie it could decide wrongly).
   */
  public static Instant eventTime(int writer, int key) {
    int hash = Hashing.murmur3_32_fixed().hashLong(writer * 1_000_003L + key).asInt();
    int offset = Math.floorMod(hash, 1000);
    return BASE.plusSeconds(offset).plusNanos((offset % 3) * 1000L);
  }

  public static Instant maxEventTime(int writers, int key) {
    Instant max = Instant.MIN;
    for (int w = 0; w < writers; w++) {
      Instant time = eventTime(w, key);
      max = time.isAfter(max) ? time : max;
    }
    return max;
  }

  /** The values a row carries: functions of the key and its event time only. */
  public static List<Object> values(int key, Instant eventTime) {
    return List.of(eventTime.getEpochSecond() * 1_000_000L + eventTime.getNano() / 1000, key * 31L);
  }

  public static List<List<FeatureRow>> batches(int writer) {
    List<Integer> keys = new ArrayList<>();
    for (int key = 0; key < KEYS; key++) {
      keys.add(key);
    }
    Collections.shuffle(keys, new Random(writer));
    List<List<FeatureRow>> batches = new ArrayList<>();
    List<FeatureRow> batch = new ArrayList<>();
    for (int key : keys) {
      Instant time = eventTime(writer, key);
      batch.add(FeatureRow.of(List.of((long) key), time, values(key, time)));
      if (batch.size() == BATCH) {
        batches.add(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  /** Writes writer {@code writer}'s share through a fresh writer; returns its totals. */
  public static WriteStats write(OnlineWriterSupplier open, int writer) {
    try (OnlineWriter onlineWriter = open.open()) {
      for (List<FeatureRow> batch : batches(writer)) {
        onlineWriter.write(batch);
      }
      return onlineWriter.stats();
    }
  }

  /** Opens a writer; lets the race code stay independent of the store. */
  @FunctionalInterface
  public interface OnlineWriterSupplier {
    OnlineWriter open();
  }
}
