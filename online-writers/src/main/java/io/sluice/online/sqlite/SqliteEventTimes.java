package io.sluice.online.sqlite;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;

/**
 * How the SQLite online store keeps {@code event_ts} and {@code created_ts}: whole epoch seconds,
 * as Feast 0.66 binds them ({@code int(datetime.timestamp())}, so sub-second precision is dropped,
 * truncating toward zero) and reads them ({@code datetime.fromtimestamp(int(value))}).
 *
 * <p>Files written before hold other forms, which the newer-only comparison and the reader still
 * understand: naive UTC text {@code yyyy-MM-dd HH:mm:ss[.ffffff]} (Sluice before it wrote epoch
 * seconds), {@code isoformat()} text with a {@code T} and perhaps an offset (Feast before 0.42),
 * and REAL seconds.
 */
final class SqliteEventTimes {
  private SqliteEventTimes() {}

  /**
   * The whole epoch seconds Feast stores for {@code time}: Python's datetime holds microseconds,
   * and {@code int()} of its float timestamp truncates toward zero, so a time before 1970 with a
   * fraction rounds up ({@code -0.5} s is stored as {@code 0}), unlike {@link
   * Instant#getEpochSecond()}.
   */
  static long epochSeconds(Instant time) {
    Instant micros = time.truncatedTo(ChronoUnit.MICROS);
    long seconds = micros.getEpochSecond();
    return seconds < 0 && micros.getNano() > 0 ? seconds + 1 : seconds;
  }

  /**
   * An SQL expression for the whole epoch seconds of the stored time in {@code column} (a qualified
   * column reference), whatever its storage class: an INTEGER as it is; a REAL truncated toward
   * zero; a TEXT parsed by SQLite's date functions ({@code unixepoch} with {@code 'subsec'}, SQLite
   * 3.42 or later, reads both text forms, offsets included, to the millisecond) and truncated the
   * same way. NULL when the column is NULL, a BLOB, or text SQLite cannot read as a time.
   */
  static String storedSecondsSql(String column) {
    return "CASE typeof("
        + column
        + ") WHEN 'integer' THEN "
        + column
        + " WHEN 'real' THEN CAST("
        + column
        + " AS INTEGER) WHEN 'text' THEN CAST(unixepoch("
        + column
        + ", 'subsec') AS INTEGER) END";
  }

  /**
   * The time a stored {@code event_ts} value denotes, as the JDBC driver returns it: a whole number
   * of epoch seconds, REAL seconds, or one of the two text forms (naive text is UTC).
   *
   * @throws IllegalArgumentException for anything else, naming the value
   */
  static Instant decode(Object stored) {
    if (stored instanceof Integer || stored instanceof Long) {
      return Instant.ofEpochSecond(((Number) stored).longValue());
    }
    if (stored instanceof Double seconds && Double.isFinite(seconds)) {
      long whole = (long) Math.floor(seconds);
      long micros = Math.round((seconds - whole) * 1_000_000);
      return Instant.ofEpochSecond(whole).plus(micros, ChronoUnit.MICROS);
    }
    if (stored instanceof String text) {
      try {
        TemporalAccessor parsed =
            DateTimeFormatter.ISO_DATE_TIME.parseBest(
                text.replace(' ', 'T'), OffsetDateTime::from, LocalDateTime::from);
        return parsed instanceof OffsetDateTime offset
            ? offset.toInstant()
            : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "Invalid event_ts " + text + ": neither epoch seconds nor a timestamp text", e);
      }
    }
    throw new IllegalArgumentException(
        "Invalid event_ts "
            + (stored instanceof byte[] ? "BLOB" : String.valueOf(stored))
            + ": neither epoch seconds nor a timestamp text");
  }
}
