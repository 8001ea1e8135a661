package io.sluice.benchmark.performance;

import java.util.List;

/**
 * What {@code /usr/bin/time -f "%e %U %S %M"} says of a process: wall, user and system seconds (its
 * waited-for children included) and the peak resident set in KB of the largest of them.
 */
record ProcessTimes(double wallSeconds, double userSeconds, double systemSeconds, long peakRssKb) {
  static final String FORMAT = "%e %U %S %M";

  /**
   * Reads the last non-empty line of {@code /usr/bin/time}'s output (a line such as "Command exited
   * with non-zero status 1" may come before it).
   */
  static ProcessTimes parse(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 4) {
        throw new IllegalArgumentException(
            "Invalid /usr/bin/time line (expected \"" + FORMAT + "\"): " + line);
      }
      return new ProcessTimes(
          Double.parseDouble(parts[0]),
          Double.parseDouble(parts[1]),
          Double.parseDouble(parts[2]),
          Long.parseLong(parts[3]));
    }
    throw new IllegalArgumentException("No /usr/bin/time line in " + lines);
  }

  /** (user + system) / wall / cores, in percent of the machine. */
  double cpuPercent(double wall, int cores) {
    return (userSeconds + systemSeconds) / wall / cores * 100;
  }
}
