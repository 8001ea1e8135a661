package io.sluice.online;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.JavaProcess;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;

/** Runs {@link RaceWorkload} with threads or processes and checks the store afterwards. */
public final class RaceAssertions {
  private RaceAssertions() {}

  /** What a store holds for one key of the race view: its event time and its ts_copy value. */
  public record Held(Instant eventTime, long tsCopy, long writerFree) {}

  /** Reads what the store holds for a race key, or null if nothing. */
  @FunctionalInterface
  public interface StoreReader {
    Held read(int key);
  }

  /** {@code writers} threads, each with its own writer, released together. */
  public static void raceThreads(int writers, RaceWorkload.OnlineWriterSupplier open)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<WriteStats>> results = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return RaceWorkload.write(open, writer);
                }));
      }
      start.countDown();
      long written = 0;
      for (Future<WriteStats> result : results) {
        WriteStats stats = result.get();
        assertThat(stats.acknowledged()).isEqualTo(RaceWorkload.KEYS);
        written += stats.written();
      }
      // Every key is written at least once, and never more often than there are writers.
      assertThat(written).isBetween((long) RaceWorkload.KEYS, (long) RaceWorkload.KEYS * writers);
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code writers} JVMs running {@link RaceWriterMain}, released together once all are ready. */
  public static void raceProcesses(int writers, String onlineStoreJson) {
    List<JavaProcess> processes = new ArrayList<>();
    try {
      for (int w = 0; w < writers; w++) {
        processes.add(
            JavaProcess.start(RaceWriterMain.class, List.of(onlineStoreJson, Integer.toString(w))));
      }
      processes.forEach(process -> process.awaitLine("READY"));
      processes.forEach(process -> process.send("GO"));
      for (JavaProcess process : processes) {
        assertThat(process.awaitSuccess(Duration.ofMinutes(5))).contains("STATS WriteStats[");
      }
    } finally {
      processes.forEach(JavaProcess::close);
    }
  }

  /** Every key holds the values of its greatest event time across {@code writers}. */
  public static void assertNewestWins(int writers, StoreReader store) {
    assertNewestWins(writers, store, UnaryOperator.identity());
  }

  /**
   * As {@link #assertNewestWins}, for a store that keeps event times in whole seconds (SQLite). The
   * workload's times that share a second are equal, so no tie within a second can decide the
   * values.
   */
  public static void assertNewestWinsToTheSecond(int writers, StoreReader store) {
    assertNewestWins(writers, store, time -> time.truncatedTo(ChronoUnit.SECONDS));
  }

  private static void assertNewestWins(
      int writers, StoreReader store, UnaryOperator<Instant> storedPrecision) {
    List<String> wrong = new ArrayList<>();
    for (int key = 0; key < RaceWorkload.KEYS; key++) {
      Instant expected = RaceWorkload.maxEventTime(writers, key);
      List<Object> values = RaceWorkload.values(key, expected);
      Held held = store.read(key);
      Held want =
          new Held(storedPrecision.apply(expected), (Long) values.get(0), (Long) values.get(1));
      if (!want.equals(held) && wrong.size() < 10) {
        wrong.add("key " + key + ": expected " + want + ", held " + held);
      }
    }
    assertThat(wrong).as("keys not holding their newest value").isEmpty();
  }
}
