package io.sluice.engine.cli;

import io.sluice.engine.InvalidUsageException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Parses the command line's ISO-8601 instants; a value without an offset is UTC. */
final class Timestamps {
  private Timestamps() {}

  static Instant parse(String option, String text) {
    String value = text.trim().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException offsetMissing) {
      try {
        return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException notDateTime) {
        try {
          return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException notDate) {
          throw new InvalidUsageException(
              "Invalid "
                  + option
                  + " '"
                  + text
                  + "': expected an ISO-8601 time such as 2024-05-01T00:00:00Z,"
                  + " 2024-05-01T02:00:00+02:00 or 2024-05-01 (UTC when no offset is given)");
        }
      }
    }
  }
}
