package io.sluice.benchmark.performance;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The measurements of one figure, one per repetition, with their median and range. In JSON: {@code
 * {"median":…,"min":…,"max":…,"runs":[…]}} (median, min and max are derived, kept for readers).
 */
@JsonPropertyOrder({"median", "min", "max", "runs"})
public record Sample(@JsonProperty("runs") List<Double> runs) {
  public Sample {
    runs = List.copyOf(runs);
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("A sample needs at least one measurement");
    }
  }

  @JsonCreator
  static Sample fromJson(@JsonProperty("runs") List<Double> runs) {
    return new Sample(runs);
  }

  public static Sample of(double... values) {
    return new Sample(java.util.Arrays.stream(values).boxed().toList());
  }

  @JsonProperty("median")
  public double median() {
    List<Double> sorted = runs.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  @JsonProperty("min")
  public double min() {
    return runs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
  }

  @JsonProperty("max")
  public double max() {
    return runs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
  }

  /** Repetition by repetition {@code this / other} (the same number of runs on both sides). */
  public Sample dividedBy(Sample other) {
    if (other.runs.size() != runs.size()) {
      throw new IllegalArgumentException(
          "Cannot divide " + runs.size() + " runs by " + other.runs.size() + " runs");
    }
    java.util.ArrayList<Double> ratios = new java.util.ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      ratios.add(runs.get(i) / other.runs.get(i));
    }
    return new Sample(ratios);
  }
}
