package io.sluice.online.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's {@code repr(float)} (which is also its {@code str(float)}), the text Feast stores for a
 * number in SQL online stores' {@code value_text} column.
 *
 * <p>Hand-written because nothing in the JDK prints it: Python prints the shortest decimal that
 * reads back as the same double (the nearest such decimal when two have that length), while Java
 * 17's {@link Double#toString(double)} sometimes prints more digits or other digits ({@code
 * 8.41e21} prints as {@code 8.409999999999999E21}, {@code 2e23} as {@code 1.9999999999999998E23};
 * JDK-4511638, fixed only in Java 19) and uses another notation. Python's notation: fixed when the
 * decimal exponent of the first digit is in {@code [-4, 16)}, with {@code .0} when there is no
 * fraction ({@code 1000000000000000.0}, {@code 0.0001}); scientific otherwise, with a signed
 * exponent of at least two digits and no {@code .0} ({@code 1e+16}, {@code 1e-05}, {@code
 * 1.5e-07}); {@code inf}, {@code -inf}, {@code nan} and {@code -0.0}.
 */
public final class PythonFloatRepr {
  private PythonFloatRepr() {}

  /** Python's {@code repr(value)}. */
  public static String format(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    String sign = (Double.doubleToRawLongBits(value) < 0) ? "-" : "";
    if (value == 0) {
      return sign + "0.0";
    }
    BigDecimal shortest = shortestReadingBack(Math.abs(value)).stripTrailingZeros();
    String digits = shortest.unscaledValue().toString();
    // The decimal exponent of the first digit: value = d.ddd × 10^exponent.
    int exponent = digits.length() - 1 - shortest.scale();
    StringBuilder text = new StringBuilder(sign);
    if (exponent < -4 || exponent >= 16) {
      text.append(digits.charAt(0));
      if (digits.length() > 1) {
        text.append('.').append(digits, 1, digits.length());
      }
      int magnitude = Math.abs(exponent);
      text.append('e').append(exponent < 0 ? '-' : '+').append(magnitude < 10 ? "0" : "");
      text.append(magnitude);
    } else if (exponent < 0) {
      text.append("0.").append("0".repeat(-exponent - 1)).append(digits);
    } else if (digits.length() <= exponent + 1) {
      text.append(digits).append("0".repeat(exponent + 1 - digits.length())).append(".0");
    } else {
      text.append(digits, 0, exponent + 1)
          .append('.')
          .append(digits, exponent + 1, digits.length());
    }
    return text.toString();
  }

  /**
   * The decimal with the fewest significant digits that reads back as {@code value} (positive and
   * finite); when both neighbours at that length do, the nearer, and of two equally near (the value
   * is exactly halfway, say {@code 276804372109801.375} at 17 digits) the one with an even last
   * digit, as Python picks.
   *
   * <p>At each length only the two neighbours of the exact value (rounded down and up) can read
   * back, and if a length has one that does, every longer length has one too (the longer grid holds
   * the shorter one's point or one between it and the value), so the shortest length is found by
   * bisection. Java's {@link Double#toString(double)} reads back, so its length bounds the search;
   * it is the shortest or one digit too long for almost every double, so one fewer is tried first.
   */
  private static BigDecimal shortestReadingBack(double value) {
    BigDecimal exact = new BigDecimal(value);
    int low = 1;
    int high = new BigDecimal(Double.toString(value)).stripTrailingZeros().precision();
    int probe = high - 1;
    while (low < high) {
      if (readingBack(exact, value, probe) != null) {
        high = probe;
      } else {
        low = probe + 1;
      }
      probe = (low + high) >>> 1;
    }
    return readingBack(exact, value, low);
  }

  /**
   * The {@code digits}-long neighbour of {@code exact} that reads back as {@code value}, the
   * nearest (ties to even) when both do; null when neither does.
   */
  private static BigDecimal readingBack(BigDecimal exact, double value, int digits) {
    BigDecimal down = exact.round(new MathContext(digits, RoundingMode.DOWN));
    BigDecimal up = exact.round(new MathContext(digits, RoundingMode.UP));
    boolean downReadsBack = Double.parseDouble(down.toString()) == value;
    boolean upReadsBack = Double.parseDouble(up.toString()) == value;
    if (downReadsBack && upReadsBack) {
      return exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
    }
    return downReadsBack ? down : upReadsBack ? up : null;
  }
}
