package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A half-open time window {@code [start, end)}; {@code start} is strictly before {@code end}. */
public record TimeInterval(Instant start, Instant end) implements Comparable<TimeInterval> {
  public TimeInterval {
    requireNonNull(start, "start is null");
    requireNonNull(end, "end is null");
    if (!start.isBefore(end)) {
      throw new RegistryConfigurationException(
          "Invalid window [" + start + ", " + end + "): start must be before end");
    }
  }

  /** Whether the two share a point or touch end-to-start (and so coalesce into one). */
  public boolean overlapsOrTouches(TimeInterval other) {
    return !start.isAfter(other.end) && !other.start.isAfter(end);
  }

  /** Orders by start, then end. */
  @Override
  public int compareTo(TimeInterval other) {
    int byStart = start.compareTo(other.start);
    return byStart != 0 ? byStart : end.compareTo(other.end);
  }

  @Override
  public String toString() {
    return "[" + start + ", " + end + ")";
  }
}
