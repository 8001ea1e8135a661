package io.sluice.benchmark.performance;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One {@code submit/bin/sluice materialize} process as the harness saw it: the run's JSON report,
 * the wall seconds from launching the launcher to its exit, what {@code /usr/bin/time} said of it,
 * and the shuffle bytes its Spark event log holds.
 */
record RunResult(JsonNode report, double wallSeconds, ProcessTimes times, long shuffleBytes) {
  RunResult {
    requireNonNull(report, "report is null");
    requireNonNull(times, "times is null");
  }

  long rowsWritten() {
    return report.path("rows_written").asLong();
  }

  long entities() {
    return report.path("entities").asLong();
  }

  /** The write partitions the run reported (at most that many writers ran at once). */
  int partitions() {
    return report.path("partitions").asInt();
  }

  double seconds(String stage) {
    JsonNode value = report.path("seconds").path(stage);
    if (!value.isNumber()) {
      throw new IllegalStateException("The run's report has no seconds." + stage + ": " + report);
    }
    return value.asDouble();
  }

  /** rows written / seconds.write. */
  double writeRowsPerSecond() {
    return rowsWritten() / seconds("write");
  }

  double fixedCostSeconds() {
    Map<String, Double> seconds = new LinkedHashMap<>();
    report
        .path("seconds")
        .fields()
        .forEachRemaining(e -> seconds.put(e.getKey(), e.getValue().asDouble()));
    return fixedCostSeconds(wallSeconds, seconds);
  }

  /**
   * The fixed cost of a run: launcher start to the first Spark job, plus {@code plan}. With {@code
   * seconds.startup} (JVM start to the run's start, the Spark session made) it is the launcher's
   * share the JVM cannot see ({@code wall - startup - total}: bash and JVM boot) + startup + plan;
   * reports without it (older jars) give {@code wall - (read_reduce + write + record)}, everything
   * but the stages that move rows.
   */
  static double fixedCostSeconds(double wallSeconds, Map<String, Double> seconds) {
    OptionalDouble startup = optional(seconds, "startup");
    if (startup.isPresent()) {
      double launcher = wallSeconds - startup.getAsDouble() - required(seconds, "total");
      return launcher + startup.getAsDouble() + required(seconds, "plan");
    }
    return wallSeconds
        - (required(seconds, "read_reduce")
            + required(seconds, "write")
            + required(seconds, "record"));
  }

  private static OptionalDouble optional(Map<String, Double> seconds, String stage) {
    Double value = seconds.get(stage);
    return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
  }

  private static double required(Map<String, Double> seconds, String stage) {
    Double value = seconds.get(stage);
    if (value == null) {
      throw new IllegalArgumentException("No seconds." + stage + " in " + seconds);
    }
    return value;
  }
}
