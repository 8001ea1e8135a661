package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Set operations on half-open intervals: coalescing, coverage of a window and its gaps. */
public final class TimeIntervals {
  private TimeIntervals() {}

  /**
   * Sorts {@code intervals} and coalesces every overlapping or adjacent pair ({@code [a, b)} and
   * {@code [b, c)} become {@code [a, c)}). The result is sorted, disjoint and non-adjacent.
   */
  public static List<TimeInterval> merge(Collection<TimeInterval> intervals) {
    List<TimeInterval> sorted = new ArrayList<>(requireNonNull(intervals, "intervals is null"));
    sorted.sort(null);
    List<TimeInterval> merged = new ArrayList<>();
    for (TimeInterval next : sorted) {
      int last = merged.size() - 1;
      if (last >= 0 && merged.get(last).overlapsOrTouches(next)) {
        TimeInterval current = merged.get(last);
        Instant end = current.end().isAfter(next.end()) ? current.end() : next.end();
        merged.set(last, new TimeInterval(current.start(), end));
      } else {
        merged.add(next);
      }
    }
    return List.copyOf(merged);
  }

  /** The parts of {@code window} that {@code intervals} cover, sorted and coalesced. */
  static List<TimeInterval> coverage(Collection<TimeInterval> intervals, TimeInterval window) {
    requireNonNull(window, "window is null");
    List<TimeInterval> covered = new ArrayList<>();
    for (TimeInterval interval : merge(intervals)) {
      Instant start = max(interval.start(), window.start());
      Instant end = min(interval.end(), window.end());
      if (start.isBefore(end)) {
        covered.add(new TimeInterval(start, end));
      }
    }
    return List.copyOf(covered);
  }

  /** The parts of {@code window} that {@code intervals} do not cover, sorted. */
  static List<TimeInterval> gaps(Collection<TimeInterval> intervals, TimeInterval window) {
    List<TimeInterval> gaps = new ArrayList<>();
    Instant cursor = window.start();
    for (TimeInterval covered : coverage(intervals, window)) {
      if (cursor.isBefore(covered.start())) {
        gaps.add(new TimeInterval(cursor, covered.start()));
      }
      cursor = covered.end();
    }
    if (cursor.isBefore(window.end())) {
      gaps.add(new TimeInterval(cursor, window.end()));
    }
    return List.copyOf(gaps);
  }

  /** The greatest end of any interval: where an incremental run starts. */
  public static Optional<Instant> latestEnd(Collection<TimeInterval> intervals) {
    return intervals.stream().map(TimeInterval::end).max(Instant::compareTo);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
