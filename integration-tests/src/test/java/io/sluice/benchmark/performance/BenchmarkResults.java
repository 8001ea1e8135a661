package io.sluice.benchmark.performance;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sluice.common.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one harness run measured, as written to its JSON file: the machine, the command, and
 * every figure; {@link #compare} prints the change per figure between two such files.
 *
 * @param machine cores, memory, JVM, OS, server versions, the source tree's commit
 * @param command the command line that produced this
 * @param started when the harness started (ISO-8601)
 * @param durationSeconds how long the whole harness took
 * @param figures every figure, in report order
 * @param skipped one line per part that did not run and why (the Feast peer without feast)
 */
@JsonPropertyOrder({"machine", "command", "started", "duration_seconds", "figures", "skipped"})
public record BenchmarkResults(
    @JsonProperty("machine") Map<String, String> machine,
    @JsonProperty("command") String command,
    @JsonProperty("started") String started,
    @JsonProperty("duration_seconds") double durationSeconds,
    @JsonProperty("figures") List<Figure> figures,
    @JsonProperty("skipped") List<String> skipped) {
  private static final ObjectReader READER =
      Json.MAPPER
          .readerFor(BenchmarkResults.class)
          .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public BenchmarkResults {
    machine = Map.copyOf(new LinkedHashMap<>(requireNonNull(machine, "machine is null")));
    requireNonNull(command, "command is null");
    requireNonNull(started, "started is null");
    figures = List.copyOf(figures);
    skipped = skipped == null ? List.of() : List.copyOf(skipped);
  }

  static BenchmarkResults read(Path file) {
    try {
      return READER.readValue(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read benchmark results " + file, e);
    }
  }

  void write(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Files.writeString(
          file,
          Json.MAPPER
                  .writer()
                  .with(SerializationFeature.INDENT_OUTPUT)
                  .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                  .writeValueAsString(this)
              + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write benchmark results " + file, e);
    }
  }

  /**
   * One line per figure of either side: the median of its ratio (when it has a limit) and of its
   * value, old → new, with the relative change; figures on one side only are named as such.
   */
  static List<String> compare(BenchmarkResults old, BenchmarkResults now) {
    Map<String, Figure> before = new LinkedHashMap<>();
    old.figures().forEach(figure -> before.put(figure.key(), figure));
    List<String> lines = new ArrayList<>();
    for (Figure figure : now.figures()) {
      Figure earlier = before.remove(figure.key());
      if (earlier == null) {
        lines.add(figure.section() + " / " + figure.name() + ": new (" + describe(figure) + ")");
        continue;
      }
      StringBuilder line = new StringBuilder(figure.section() + " / " + figure.name() + ":");
      if (figure.ratio() != null && earlier.ratio() != null) {
        line.append(" ratio ")
            .append(change(earlier.ratio().median(), figure.ratio().median(), "x"))
            .append(',');
      }
      line.append(' ')
          .append(change(earlier.value().median(), figure.value().median(), figure.unit()));
      figure
          .meetsTarget()
          .ifPresent(meets -> line.append(meets ? ", meets target" : ", misses target"));
      lines.add(line.toString());
    }
    for (Figure gone : before.values()) {
      lines.add(gone.section() + " / " + gone.name() + ": only in the old results");
    }
    return lines;
  }

  private static String describe(Figure figure) {
    return (figure.ratio() != null ? Formats.number(figure.ratio().median()) + "x, " : "")
        + Formats.withUnit(Formats.number(figure.value().median()), figure.unit());
  }

  private static String change(double old, double now, String unit) {
    String percent =
        old == 0 ? "n/a" : String.format(Locale.ROOT, "%+.1f%%", (now - old) / Math.abs(old) * 100);
    return Formats.number(old)
        + " → "
        + Formats.withUnit(Formats.number(now), unit)
        + " ("
        + percent
        + ")";
  }
}
