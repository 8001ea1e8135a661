package io.sluice.benchmark.performance;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Optional;

/**
 * One figure of the report: a measured value, and usually the limit measured in the same run
 * against which it is judged, with the ratio of the two taken repetition by repetition.
 *
 * @param section the report's section ({@code reduction}, {@code write}, …)
 * @param name what is measured, unique within its section ("10M rows, newer-only")
 * @param unit the value's unit ("s", "rows/s", "MB", "%")
 * @param value Sluice's measurements
 * @param limitName what the limit is ("DuckDB, 2 threads"), or null without a limit
 * @param limit the limit's measurements, or null
 * @param ratio {@code value / limit} per repetition, or null without a limit
 * @param target what the ratio (or, without a limit, the value) should meet, or null
 * @param note anything a reader needs to read the figure right, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "section",
  "name",
  "unit",
  "value",
  "limit_name",
  "limit",
  "ratio",
  "target",
  "meets_target",
  "note"
})
public record Figure(
    @JsonProperty("section") String section,
    @JsonProperty("name") String name,
    @JsonProperty("unit") String unit,
    @JsonProperty("value") Sample value,
    @JsonProperty("limit_name") String limitName,
    @JsonProperty("limit") Sample limit,
    @JsonProperty("ratio") Sample ratio,
    @JsonProperty("target") Target target,
    @JsonProperty("note") String note) {
  public Figure {
    requireNonNull(section, "section is null");
    requireNonNull(name, "name is null");
    requireNonNull(unit, "unit is null");
    requireNonNull(value, "value is null");
    if ((limit == null) != (ratio == null)) {
      throw new IllegalArgumentException("A figure has both a limit and a ratio, or neither");
    }
  }

  /** A value judged on its own. */
  static Figure value(String section, String name, String unit, Sample value, Target target) {
    return new Figure(section, name, unit, value, null, null, null, target, null);
  }

  /** A value with the limit measured beside it; the ratio is taken repetition by repetition. */
  static Figure againstLimit(
      String section,
      String name,
      String unit,
      Sample value,
      String limitName,
      Sample limit,
      Target target) {
    return new Figure(
        section, name, unit, value, limitName, limit, value.dividedBy(limit), target, null);
  }

  Figure withNote(String text) {
    return new Figure(section, name, unit, value, limitName, limit, ratio, target, text);
  }

  /** section/name, how a figure is matched between two results. */
  String key() {
    return section + "/" + name;
  }

  /** Whether the median meets the target (of the ratio when there is a limit); empty without. */
  public Optional<Boolean> meetsTarget() {
    if (target == null) {
      return Optional.empty();
    }
    return Optional.of(target.metBy((ratio != null ? ratio : value).median()));
  }

  /** For readers of the JSON: written, never read back (it follows from the rest). */
  @JsonProperty(value = "meets_target", access = JsonProperty.Access.READ_ONLY)
  Boolean meetsTargetOrNull() {
    return meetsTarget().orElse(null);
  }
}
