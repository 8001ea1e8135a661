package io.sluice.benchmark.performance;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.common.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the harness reads from Spark's event logs (uncompressed JSON lines, one event a line). */
final class EventLogs {
  private EventLogs() {}

  /**
   * The shuffle bytes written by every task of every event log in {@code dir}: the sum of {@code
   * "Task Metrics"."Shuffle Write Metrics"."Shuffle Bytes Written"} over the {@code
   * SparkListenerTaskEnd} events (failed tasks included: their bytes were written too).
   */
  static long shuffleBytesWritten(Path dir) {
    List<Path> logs;
    try (Stream<Path> files = Files.list(dir)) {
      logs = files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the event logs in " + dir, e);
    }
    if (logs.isEmpty()) {
      throw new IllegalStateException("No Spark event log in " + dir);
    }
    long total = 0;
    for (Path log : logs) {
      total += shuffleBytesWrittenIn(log);
    }
    return total;
  }

  static long shuffleBytesWrittenIn(Path log) {
    long total = 0;
    try (BufferedReader reader = Files.newBufferedReader(log)) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (!line.contains("\"SparkListenerTaskEnd\"")) {
          continue; // most lines; skips parsing them
        }
        JsonNode event = Json.MAPPER.readTree(line);
        if (!"SparkListenerTaskEnd".equals(event.path("Event").asText())) {
          continue;
        }
        total +=
            event
                .path("Task Metrics")
                .path("Shuffle Write Metrics")
                .path("Shuffle Bytes Written")
                .asLong(0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the event log " + log, e);
    }
    return total;
  }
}
