package io.sluice.benchmark.performance;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a figure should meet: its ratio to its limit (or, for a figure without a limit, its value)
 * at most or at least {@code bound}. Judged on the median.
 */
@com.fasterxml.jackson.annotation.JsonInclude(
    com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record Target(
    @JsonProperty("at_most") Double atMost, @JsonProperty("at_least") Double atLeast) {
  public Target {
    if ((atMost == null) == (atLeast == null)) {
      throw new IllegalArgumentException("A target is either at_most or at_least");
    }
  }

  public static Target atMost(double bound) {
    return new Target(bound, null);
  }

  public static Target atLeast(double bound) {
    return new Target(null, bound);
  }

  public boolean metBy(double median) {
    return atMost != null ? median <= atMost : median >= atLeast;
  }

  /** "≤ 1.50x" or "≥ 3.00 s". */
  public String text(String unit) {
    requireNonNull(unit, "unit is null");
    double bound = atMost != null ? atMost : atLeast;
    return (atMost != null ? "≤ " : "≥ ") + Formats.withUnit(Formats.number(bound), unit);
  }
}
