package io.sluice.engine.backfill;

import io.sluice.engine.InvalidUsageException;
import io.sluice.registry.TimeInterval;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backfill's windows: the range cut at multiples of the step (counted from the Unix epoch, UTC,
 * so hourly windows start on the hour and daily ones at midnight UTC, as Airflow's data intervals
 * do), the first and last window clipped to the range; and which of them the registry already
 * covers.
 */
public final class BackfillWindows {
  /** More windows than this is almost certainly a mistyped step or range. */
  public static final int MAX_WINDOWS = 100_000;

  private static final Pattern STEP = Pattern.compile("(\\d+)\\s*(s|m|min|h|d)");

  private BackfillWindows() {}

  /** The order windows are submitted in. */
  public enum Order {
    NEWEST_FIRST,
    OLDEST_FIRST;

    /** {@code newest-first} or {@code oldest-first}. */
    public static Order parse(String text) {
      for (Order order : values()) {
        if (order.option().equals(text.trim().toLowerCase(Locale.ROOT))) {
          return order;
        }
      }
      throw new InvalidUsageException(
          "Invalid --order '" + text + "': expected newest-first (the default) or oldest-first");
    }

    public String option() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * A step: {@code 30m}, {@code 1h}, {@code 1d}, {@code 90s} (also {@code 15min}), or ISO-8601
   * ({@code PT1H}, {@code P1D}). Whole seconds, at least one.
   */
  public static Duration parseStep(String text) {
    String value = text.trim();
    Duration step;
    Matcher matcher = STEP.matcher(value.toLowerCase(Locale.ROOT));
    try {
      if (matcher.matches()) {
        long amount = Long.parseLong(matcher.group(1));
        step =
            switch (matcher.group(2)) {
              case "s" -> Duration.ofSeconds(amount);
              case "m", "min" -> Duration.ofMinutes(amount);
              case "h" -> Duration.ofHours(amount);
              default -> Duration.ofDays(amount);
            };
      } else {
        step = Duration.parse(value.toUpperCase(Locale.ROOT));
      }
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      step = null;
    }
    if (step == null || step.isNegative() || step.getSeconds() < 1 || step.getNano() != 0) {
      throw new InvalidUsageException(
          "Invalid --step '"
              + text
              + "': expected a whole number of seconds, minutes, hours or days such as 1h, 30m,"
              + " 1d or PT1H");
    }
    return step;
  }

  /**
   * {@code [start, end)} cut at every multiple of {@code step} since the epoch, oldest first; the
   * first window starts at {@code start} and the last ends at {@code end} even when they are not on
   * a multiple.
   */
  public static List<TimeInterval> split(Instant start, Instant end, Duration step) {
    if (!start.isBefore(end)) {
      throw new InvalidUsageException(
          "Invalid range: --start " + start + " must be before --end " + end);
    }
    long stepSeconds = step.getSeconds();
    long first = Math.floorDiv(start.getEpochSecond(), stepSeconds);
    long last = Math.floorDiv(end.getEpochSecond() - 1, stepSeconds);
    if (end.getNano() > 0) {
      last = Math.floorDiv(end.getEpochSecond(), stepSeconds);
    }
    if (last - first + 1 > MAX_WINDOWS) {
      throw new InvalidUsageException(
          "Invalid --step "
              + step
              + ": it cuts "
              + start
              + " to "
              + end
              + " into "
              + (last - first + 1)
              + " windows, more than "
              + MAX_WINDOWS
              + "; pass a longer --step or a shorter range");
    }
    List<TimeInterval> windows = new ArrayList<>();
    for (long k = first; k <= last; k++) {
      Instant from = max(start, Instant.ofEpochSecond(k * stepSeconds));
      Instant to = min(end, Instant.ofEpochSecond((k + 1) * stepSeconds));
      if (from.isBefore(to)) {
        windows.add(new TimeInterval(from, to));
      }
    }
    return windows;
  }

  /** The windows in submission order. */
  public static List<TimeInterval> ordered(List<TimeInterval> windows, Order order) {
    List<TimeInterval> sorted = new ArrayList<>(windows);
    Collections.sort(sorted);
    if (order == Order.NEWEST_FIRST) {
      Collections.reverse(sorted);
    }
    return sorted;
  }

  /**
   * Whether {@code recorded} (sorted and coalesced, as the registry gives it) covers {@code
   * window}.
   */
  public static boolean covered(TimeInterval window, List<TimeInterval> recorded) {
    for (TimeInterval interval : recorded) {
      if (!interval.start().isAfter(window.start()) && !interval.end().isBefore(window.end())) {
        return true;
      }
    }
    return false;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
