package io.sluice.online.format;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The textual timestamp forms Feast's online stores use. */
public final class FeastTimestamps {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private FeastTimestamps() {}

  /**
   * Naive UTC text as Python prints a datetime: {@code YYYY-MM-DD HH:MM:SS}, with {@code .ffffff}
   * only when the microseconds are not zero. Sub-microsecond digits are truncated. Texts of this
   * form order correctly as strings.
   */
  public static String naiveUtcText(Instant instant) {
    Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
    LocalDateTime time = LocalDateTime.ofInstant(micros, ZoneOffset.UTC);
    String text = SECONDS.format(time);
    int micro = micros.getNano() / 1000;
    return micro == 0 ? text : text + String.format(".%06d", micro);
  }
}
