package io.sluice.online;

import java.io.Serializable;

/**
 * Counts of rows (one row = one entity of one feature view) a writer has acknowledged.
 *
 * @param written rows whose values are now stored
 * @param skippedNotNewer rows not written because the store held an equal or newer event timestamp
 */
public record WriteStats(long written, long skippedNotNewer) implements Serializable {
  public static final WriteStats NONE = new WriteStats(0, 0);

  public WriteStats {
    if (written < 0 || skippedNotNewer < 0) {
      throw new IllegalArgumentException(
          "Invalid counts: written=" + written + ", skippedNotNewer=" + skippedNotNewer);
    }
  }

  public WriteStats plus(WriteStats other) {
    return new WriteStats(written + other.written, skippedNotNewer + other.skippedNotNewer);
  }

  /** Rows acknowledged either way. */
  public long acknowledged() {
    return written + skippedNotNewer;
  }
}
