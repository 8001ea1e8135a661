package io.sluice.engine.run;

import static io.sluice.engine.run.ProgressSnapshot.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.engine.run.ProgressSnapshot.Phase;
import org.junit.jupiter.api.Test;

class ProgressSnapshotTest {
  private static ProgressSnapshot reading(
      long millis, long bytes, long inputBytes, long rows, int done, int tasks) {
    return new ProgressSnapshot(
        Phase.READING, millis, bytes, inputBytes, rows, done, tasks, 0, 0, 0, 0);
  }

  private static ProgressSnapshot writing(
      long millis, long written, long skipped, int done, int tasks) {
    return new ProgressSnapshot(
        Phase.WRITING, millis, 1_000, 1_000, 10, 36, 36, written, skipped, done, tasks);
  }

  @Test
  void readingShowsBytesOfTheInputRowsTasksAndTheTimeLeft() {
    ProgressSnapshot snapshot = reading(7_000, 412_000_000, 1_200_000_000, 3_400_000, 12, 36);

    assertThat(snapshot.readFraction())
        .isCloseTo(0.3433, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(snapshot.secondsLeft()).hasValue(13); // 7 s * (1 - 0.343) / 0.343
    assertThat(snapshot.describe())
        .isEqualTo(
            "reading and reducing, 412 MB of 1.2 GB read (34%), 3,400,000 rows, 12 of 36 tasks,"
                + " about 13 s left");
  }

  @Test
  void readTasksAreTheFloorWhenTheBytesReadEndBelowTheInput() {
    // Parquet read half the columns: the bytes say 25%, the tasks 75%.
    ProgressSnapshot snapshot = reading(30_000, 250, 1_000, 100, 3, 4);

    assertThat(snapshot.readFraction()).isEqualTo(0.75);
    assertThat(snapshot.secondsLeft()).hasValue(10);
    assertThat(snapshot.describe())
        .isEqualTo(
            "reading and reducing, 250 B of 1.0 KB read (25%), 100 rows, 3 of 4 tasks, about 10 s"
                + " left");
  }

  @Test
  void withoutTheInputSizeTheTasksAlone() {
    ProgressSnapshot snapshot = reading(10_000, 5_000_000, UNKNOWN, 40_000, 1, 2);

    assertThat(snapshot.inputSizeKnown()).isFalse();
    assertThat(snapshot.readFraction()).isEqualTo(0.5);
    assertThat(snapshot.describe())
        .isEqualTo("reading and reducing, 5.0 MB read, 40,000 rows, 1 of 2 tasks, about 10 s left");
  }

  @Test
  void noTimeLeftUntilAFewPercentAreDone() {
    assertThat(reading(60_000, 40, 1_000, 1, 0, 36).secondsLeft()).isEmpty();
    assertThat(reading(60_000, 40, 1_000, 1, 0, 36).describe())
        .isEqualTo("reading and reducing, 40 B of 1.0 KB read (4%), 1 rows, 0 of 36 tasks");
    assertThat(ProgressSnapshot.secondsLeft(0.049, 60_000)).isEmpty();
    assertThat(ProgressSnapshot.secondsLeft(0.05, 60_000)).hasValue(1140);
    assertThat(ProgressSnapshot.secondsLeft(0.5, 0)).isEmpty();
  }

  @Test
  void noTimeLeftOnceAllIsDoneButThePhaseGoesOn() {
    // The last read task ended; AQE is planning the write stage.
    ProgressSnapshot snapshot = reading(20_000, 1_000, 1_000, 10, 36, 36);

    assertThat(snapshot.secondsLeft()).isEmpty();
    assertThat(snapshot.describe())
        .isEqualTo("reading and reducing, 1.0 KB of 1.0 KB read (100%), 10 rows, 36 of 36 tasks");
  }

  @Test
  void bytesReadAboveTheInputSizeDoNotPassAHundredPercent() {
    // Checksum files, footers read twice, or a catalog's stale statistics.
    assertThat(reading(1_000, 1_100, 1_000, 10, 1, 4).describe()).contains("read (100%)");
    assertThat(reading(1_000, 1_100, 1_000, 10, 1, 4).readFraction()).isEqualTo(1.0);
  }

  @Test
  void writingShowsRowsTheRateSinceTheWriteStageAndTasksLeft() {
    ProgressSnapshot snapshot = writing(20_000, 900_000, 100_000, 2, 8);

    assertThat(snapshot.rowsPerSecond()).isEqualTo(50_000);
    assertThat(snapshot.secondsLeft()).hasValue(60);
    assertThat(snapshot.describe())
        .isEqualTo(
            "writing, 900,000 rows written, 100,000 skipped as not newer, 50,000 rows/s, 2 of 8"
                + " tasks, about 60 s left");
  }

  @Test
  void thePhaseDecidesWhichFractionTheTimeLeftComesFrom() {
    // Reading done, writing just started: no estimate yet, and no rate from the read phase.
    ProgressSnapshot justWriting = writing(0, 0, 0, 0, 8);
    assertThat(justWriting.secondsLeft()).isEmpty();
    assertThat(justWriting.rowsPerSecond()).isZero();
    assertThat(justWriting.describe())
        .isEqualTo("writing, 0 rows written, 0 skipped as not newer, 0 rows/s, 0 of 8 tasks");

    ProgressSnapshot starting =
        new ProgressSnapshot(Phase.STARTING, 0, 0, 1_000, 0, 0, 0, 0, 0, 0, 0);
    assertThat(starting.secondsLeft()).isEmpty();
    assertThat(starting.describe()).isEqualTo("starting, no stage submitted yet");
  }

  @Test
  void fractionsStayBetweenZeroAndOne() {
    assertThat(ProgressSnapshot.fraction(0, 0)).isZero();
    assertThat(ProgressSnapshot.fraction(3, 4)).isEqualTo(0.75);
    assertThat(ProgressSnapshot.fraction(5, 4)).isEqualTo(1.0);
    assertThat(ProgressSnapshot.fraction(-1, 4)).isZero();
  }

  @Test
  void bytesInDecimalUnits() {
    assertThat(ProgressSnapshot.bytes(0)).isEqualTo("0 B");
    assertThat(ProgressSnapshot.bytes(999)).isEqualTo("999 B");
    assertThat(ProgressSnapshot.bytes(1_000)).isEqualTo("1.0 KB");
    assertThat(ProgressSnapshot.bytes(9_940)).isEqualTo("9.9 KB");
    assertThat(ProgressSnapshot.bytes(9_960)).isEqualTo("10 KB");
    assertThat(ProgressSnapshot.bytes(412_345_678)).isEqualTo("412 MB");
    assertThat(ProgressSnapshot.bytes(999_999_999)).isEqualTo("1.0 GB");
    assertThat(ProgressSnapshot.bytes(1_234_567_890)).isEqualTo("1.2 GB");
    assertThat(ProgressSnapshot.bytes(Long.MAX_VALUE)).isEqualTo("9.2 EB");
  }

  @Test
  void durationsInSecondsMinutesOrHours() {
    assertThat(ProgressSnapshot.duration(0)).isEqualTo("0 s");
    assertThat(ProgressSnapshot.duration(99)).isEqualTo("99 s");
    assertThat(ProgressSnapshot.duration(100)).isEqualTo("2 min");
    assertThat(ProgressSnapshot.duration(5_999)).isEqualTo("100 min");
    assertThat(ProgressSnapshot.duration(9_000)).isEqualTo("2.5 h");
  }

  @Test
  void aNegativeInputSizeOtherThanUnknownIsRefused() {
    assertThatThrownBy(() -> reading(0, 0, -2, 0, 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("inputBytes must be >= 0 or UNKNOWN: -2");
  }
}
