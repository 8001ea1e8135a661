package io.sluice.benchmark.performance;

import java.util.Locale;

/** Numbers as the report prints them: three significant digits, thousands grouped. */
final class Formats {
  private Formats() {}

  static String number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return String.valueOf(value);
    }
    double magnitude = Math.abs(value);
    if (magnitude >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (magnitude >= 100) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    if (magnitude >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    if (magnitude >= 1 || magnitude == 0) {
      return String.format(Locale.ROOT, "%.2f", value);
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }

  /** "1.50x", "3.00 s": a ratio's x sticks to its number. */
  static String withUnit(String number, String unit) {
    return unit.equals("x") ? number + "x" : number + " " + unit;
  }

  /** "1.23 (1.10–1.40)". */
  static String sample(Sample sample) {
    if (sample.runs().size() == 1) {
      return number(sample.median());
    }
    return number(sample.median()) + " (" + number(sample.min()) + "–" + number(sample.max()) + ")";
  }
}
