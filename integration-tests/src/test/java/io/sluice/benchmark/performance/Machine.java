package io.sluice.benchmark.performance;

import io.sluice.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the report says of the machine it ran on. */
final class Machine {
  private Machine() {}

  static Map<String, String> describe(Path root) {
    Map<String, String> machine = new LinkedHashMap<>();
    machine.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    machine.put("memory", memory());
    machine.put(
        "jvm",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    machine.put("os", os());
    machine.put("cpu", cpu());
    machine.put("redis", quietly(List.of("redis-server", "--version")));
    machine.put("duckdb", DuckDbReduction.version());
    machine.put("dynalite", io.sluice.testing.DynaliteServer.VERSION);
    machine.put(
        "commit", quietly(List.of("git", "-C", root.toString(), "rev-parse", "--short", "HEAD")));
    return machine;
  }

  private static String memory() {
    for (String line : lines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        long kb = Long.parseLong(line.replaceAll("\\D", ""));
        return String.format(java.util.Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
      }
    }
    return "unknown";
  }

  private static String cpu() {
    for (String line : lines(Path.of("/proc/cpuinfo"))) {
      if (line.startsWith("model name")) {
        return line.substring(line.indexOf(':') + 1).strip();
      }
    }
    return "unknown";
  }

  private static String os() {
    for (String line : lines(Path.of("/etc/os-release"))) {
      if (line.startsWith("PRETTY_NAME=")) {
        return line.substring("PRETTY_NAME=".length()).replace("\"", "")
            + ", "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.version");
      }
    }
    return System.getProperty("os.name") + " " + System.getProperty("os.version");
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String quietly(List<String> command) {
    try {
      return ServerProcess.run(command, Duration.ofSeconds(10)).strip();
    } catch (RuntimeException e) {
      return "unknown";
    }
  }
}
