package io.sluice.registry;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a feature view's {@code ttl}: {@code 90s}, {@code 15m}, {@code 2h}, {@code 1d}, {@code 0}.
 */
public final class Ttl {
  /** The forms accepted, for error messages. */
  public static final String ACCEPTED =
      "a whole number followed by s, m, h, d or w (90s, 15m, 2h, 1d, 2w), or 0 for no limit";

  private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*([smhdw]?)");

  private Ttl() {}

  /** The duration, or empty when {@code text} is not an accepted form. */
  public static Optional<Duration> parse(String text) {
    Matcher matcher = FORM.matcher(text.strip());
    if (!matcher.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "s" -> Optional.of(Duration.ofSeconds(amount));
      case "m" -> Optional.of(Duration.ofMinutes(amount));
      case "h" -> Optional.of(Duration.ofHours(amount));
      case "d" -> Optional.of(Duration.ofDays(amount));
      case "w" -> Optional.of(Duration.ofDays(7 * amount));
      default -> amount == 0 ? Optional.of(Duration.ZERO) : Optional.empty();
    };
  }
}
