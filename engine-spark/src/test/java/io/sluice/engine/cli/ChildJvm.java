package io.sluice.engine.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of a JVM of its own running {@code mainClass} on this test's class path. */
final class ChildJvm {
  private ChildJvm() {}

  static List<String> command(String heap, String mainClass) {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Spark's Java 17 flags, as this JVM has them.
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("--add-opens") || flag.startsWith("-XX:+IgnoreUnrecognized")) {
        line.add(flag);
      }
    }
    line.addAll(List.of("-Xmx" + heap, "-cp", System.getProperty("java.class.path"), mainClass));
    return line;
  }
}
