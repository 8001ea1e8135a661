package io.sluice.engine.run;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * Where one run's write action stands at one moment, and the progress line it reads as. A pure
 * value: {@link RunProgress} fills it from Spark's listener events, this class only does the
 * arithmetic (fractions, the time left) and the formatting, so both are tested without Spark.
 *
 * <p>The time left is a linear extrapolation: the time the phase has run so far, times the fraction
 * still to do over the fraction done. It is omitted until at least {@link
 * #MIN_FRACTION_FOR_ESTIMATE} of the phase is done (an estimate from the first tasks is mostly
 * noise), and once the fraction reaches 1 while the phase has not ended (the last tasks' results,
 * or AQE planning the next stage): there is then nothing left to extrapolate from.
 *
 * @param phase what the action is doing
 * @param phaseMillis how long the phase has run
 * @param bytesRead bytes the run's tasks read from the source so far
 * @param inputBytes the source's size as the plan knows it, or {@link #UNKNOWN}
 * @param rowsRead records the run's tasks read from the source so far
 * @param readTasksDone finished tasks of the stages before the write stage
 * @param readTasks tasks of the stages before the write stage submitted so far
 * @param written rows written to the online store so far
 * @param skipped rows skipped as not newer so far
 * @param writeTasksDone finished tasks of the write stage
 * @param writeTasks tasks of the write stage, 0 before it is submitted
 */
record ProgressSnapshot(
    Phase phase,
    long phaseMillis,
    long bytesRead,
    long inputBytes,
    long rowsRead,
    int readTasksDone,
    int readTasks,
    long written,
    long skipped,
    int writeTasksDone,
    int writeTasks) {

  /** The input size when the plan does not know it. */
  static final long UNKNOWN = -1;

  /** The fraction of a phase done before its time left is estimated. */
  static final double MIN_FRACTION_FOR_ESTIMATE = 0.05;

  /** What the write action is doing; a run goes through them in this order. */
  enum Phase {
    /** No stage of the run's job group was submitted yet. */
    STARTING,
    /** The stages before the write stage: reading the window and reducing (the shuffle). */
    READING,
    /** The stage running the partition sinks (it also does the final aggregation). */
    WRITING
  }

  ProgressSnapshot {
    requireNonNull(phase, "phase is null");
    if (inputBytes < 0 && inputBytes != UNKNOWN) {
      throw new IllegalArgumentException("inputBytes must be >= 0 or UNKNOWN: " + inputBytes);
    }
  }

  boolean inputSizeKnown() {
    return inputBytes != UNKNOWN;
  }

  /**
   * The fraction of the read phase done: the greater of the bytes read of the input's size and the
   * finished read tasks of those submitted, in {@code [0, 1]}. The bytes are finer grained (running
   * tasks count), the tasks the floor when the bytes end below the input's size (Parquet reads only
   * the columns the view needs).
   */
  double readFraction() {
    double tasks = fraction(readTasksDone, readTasks);
    return inputSizeKnown() ? Math.max(tasks, fraction(bytesRead, inputBytes)) : tasks;
  }

  /** The fraction of the write phase done: finished write tasks of the write stage's tasks. */
  double writeFraction() {
    return fraction(writeTasksDone, writeTasks);
  }

  /** The estimated seconds left in the current phase, when there is enough to estimate from. */
  OptionalLong secondsLeft() {
    return switch (phase) {
      case STARTING -> OptionalLong.empty();
      case READING -> secondsLeft(readFraction(), phaseMillis);
      case WRITING -> secondsLeft(writeFraction(), phaseMillis);
    };
  }

  /** Rows written and skipped per second since the write stage started; 0 before. */
  long rowsPerSecond() {
    return phase != Phase.WRITING || phaseMillis <= 0
        ? 0
        : Math.round((written + skipped) * 1000.0 / phaseMillis);
  }

  /** The progress line, as logged after {@code "Materializing <view>: "}. */
  String describe() {
    StringBuilder line = new StringBuilder();
    switch (phase) {
      case STARTING -> line.append("starting, no stage submitted yet");
      case READING -> {
        line.append("reading and reducing, ").append(bytes(bytesRead));
        if (inputSizeKnown()) {
          line.append(" of ")
              .append(bytes(inputBytes))
              .append(" read (")
              .append(percent(fraction(bytesRead, inputBytes)))
              .append(')');
        } else {
          line.append(" read");
        }
        line.append(", ")
            .append(count(rowsRead))
            .append(" rows, ")
            .append(readTasksDone)
            .append(" of ")
            .append(readTasks)
            .append(" tasks");
      }
      case WRITING ->
          line.append("writing, ")
              .append(count(written))
              .append(" rows written, ")
              .append(count(skipped))
              .append(" skipped as not newer, ")
              .append(count(rowsPerSecond()))
              .append(" rows/s, ")
              .append(writeTasksDone)
              .append(" of ")
              .append(writeTasks)
              .append(" tasks");
    }
    secondsLeft()
        .ifPresent(seconds -> line.append(", about ").append(duration(seconds)).append(" left"));
    return line.toString();
  }

  /**
   * {@code elapsedMillis * (1 - fraction) / fraction} in whole seconds, or empty when less than
   * {@link #MIN_FRACTION_FOR_ESTIMATE} or all of it is done, or no time has passed.
   */
  static OptionalLong secondsLeft(double fraction, long elapsedMillis) {
    if (fraction < MIN_FRACTION_FOR_ESTIMATE || fraction >= 1 || elapsedMillis <= 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.round(elapsedMillis / 1000.0 * (1 - fraction) / fraction));
  }

  /** {@code done / total} in {@code [0, 1]}; 0 when the total is 0. */
  static double fraction(long done, long total) {
    return total <= 0 ? 0 : Math.min(1.0, Math.max(0, done) / (double) total);
  }

  /**
   * Bytes in decimal units (1 MB = 1,000,000 bytes, as file sizes in object stores are shown): one
   * decimal below 10 of a unit ({@code 1.2 GB}), none from 10 ({@code 412 MB}).
   */
  static String bytes(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"KB", "MB", "GB", "TB", "PB", "EB"};
    double value = bytes;
    int unit = -1;
    while (value >= 999.95 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    String number =
        value < 9.95
            ? String.format(Locale.ROOT, "%.1f", value)
            : String.format(Locale.ROOT, "%d", Math.round(value));
    return number + " " + units[unit];
  }

  /** A whole percentage, rounded down so that 100% means all of it. */
  static String percent(double fraction) {
    return (long) Math.floor(fraction * 100) + "%";
  }

  /** {@code 14 s}, {@code 12 min} from 100 seconds, {@code 2.5 h} from 100 minutes. */
  static String duration(long seconds) {
    if (seconds < 100) {
      return seconds + " s";
    }
    if (seconds < 100 * 60) {
      return Math.round(seconds / 60.0) + " min";
    }
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600.0);
  }

  private static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }
}
