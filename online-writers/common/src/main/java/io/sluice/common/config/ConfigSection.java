package io.sluice.common.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one reader of a section of {@code feature_store.yaml} (or of the file's top level): checks
 * its keys against the known ones (suggesting the nearest for a misspelt key), and reads typed
 * values with defaults and bounds. Every error is an {@link InvalidConfigException} whose message
 * names the file and the section; values of secret keys never appear in a message.
 *
 * <p>A section may be absent (every read gives its default), a mapping, or a plain string: Feast's
 * shorthand ({@code online_store: sqlite}, a file registry's path), see {@link #shorthand()}.
 * Immutable; the node it reads must not be modified.
 */
public final class ConfigSection {
  private static final String MASK = "****";
  private static final String TOP_LEVEL = "";

  private final Path file;
  private final String name;
  private final JsonNode node;
  private final Set<String> secrets;

  private ConfigSection(Path file, String name, JsonNode node, Set<String> secrets) {
    this.file = file;
    this.name = name;
    this.node = node;
    this.secrets = secrets;
  }

  /**
   * The section {@code name} of {@code file}, as parsed; {@code node} may be null, YAML null or
   * missing (an absent section), a string (a shorthand) or a mapping.
   *
   * @param file the YAML file, for messages; null when the section did not come from a file
   */
  public static ConfigSection of(Path file, String name, JsonNode node) {
    requireNonNull(name, "name is null");
    JsonNode present = node == null || node.isNull() || node.isMissingNode() ? null : node;
    ConfigSection section = new ConfigSection(file, name, present, Set.of());
    if (present != null && !present.isObject() && !present.isTextual()) {
      throw section.invalid("must be a mapping of keys to values, got: " + present);
    }
    return section;
  }

  /** The file's top level, read as a section: messages name the file, and keys without a prefix. */
  public static ConfigSection topLevel(Path file, JsonNode node) {
    return of(requireNonNull(file, "file is null"), TOP_LEVEL, node);
  }

  /**
   * The mapping under {@code key}, read as a section of its own named {@code <section>.<key>} (such
   * as {@code sluice.dynamodb}); absent when the key is absent.
   */
  public ConfigSection subsection(String key) {
    requireNonNull(key, "key is null");
    String where = name.equals(TOP_LEVEL) ? key : name + "." + key;
    return of(file, where, value(key).orElse(null));
  }

  /** The same section, with the values of {@code keys} masked in every message. */
  public ConfigSection withSecrets(String... keys) {
    Set<String> all = new HashSet<>(secrets);
    all.addAll(List.of(keys));
    return new ConfigSection(file, name, node, Set.copyOf(all));
  }

  public String name() {
    return name;
  }

  /** Whether the section is written at all. */
  public boolean isPresent() {
    return node != null;
  }

  /** The section's text when it is written as a plain string (Feast's shorthand). */
  public Optional<String> shorthand() {
    return node != null && node.isTextual() ? Optional.of(node.asText()) : Optional.empty();
  }

  /** The keys written in the section, in file order. */
  public List<String> keys() {
    List<String> keys = new ArrayList<>();
    if (node != null && node.isObject()) {
      node.fieldNames().forEachRemaining(keys::add);
    }
    return keys;
  }

  /**
   * Fails on the first key not in {@code known}, naming the nearest known key when one is close
   * ("did you mean") and listing all of them.
   */
  public ConfigSection requireKnownKeys(Collection<String> known) {
    for (String key : keys()) {
      if (!known.contains(key)) {
        throw invalid(unknownKeyMessage("unknown key '" + key + "'", key, known));
      }
    }
    return this;
  }

  /**
   * "unknown key 'x' (did you mean 'y'?); known keys: [...]", for callers with their own checks.
   */
  public static String unknownKeyMessage(String what, String key, Collection<String> known) {
    StringBuilder message = new StringBuilder(what);
    nearest(key, known)
        .ifPresent(near -> message.append(" (did you mean '").append(near).append("'?)"));
    return message.append("; known keys: ").append(new TreeSet<>(known)).toString();
  }

  /** The raw value of {@code key}; empty when absent or YAML null. */
  public Optional<JsonNode> value(String key) {
    if (node == null || !node.isObject()) {
      return Optional.empty();
    }
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
  }

  /** A scalar as text (numbers and booleans as written), or {@code defaultValue}. */
  public String text(String key, String defaultValue) {
    return optionalText(key).orElse(defaultValue);
  }

  /** A scalar as text (numbers and booleans as written); empty when absent. */
  public Optional<String> optionalText(String key) {
    Optional<JsonNode> value = value(key);
    if (value.isPresent() && !value.get().isValueNode()) {
      throw invalid(key, "must be a single value, got: " + show(key, value.get()));
    }
    return value.map(JsonNode::asText);
  }

  /** A whole number within {@code [min, max]}, or {@code defaultValue} when absent. */
  public long longInteger(String key, long defaultValue, long min, long max) {
    Optional<JsonNode> value = value(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    JsonNode number = value.get();
    long parsed;
    if (number.isIntegralNumber() && number.canConvertToLong()) {
      parsed = number.asLong();
    } else if (number.isTextual() && number.asText().trim().matches("[+-]?\\d{1,18}")) {
      // Feast's pydantic (lax mode) takes "16" for an int; so does Sluice.
      parsed = Long.parseLong(number.asText().trim());
    } else {
      throw invalid(key, "must be a whole number, got: " + show(key, number));
    }
    if (parsed < min || parsed > max) {
      throw invalid(key, "must be " + bounds(min, max) + ", got " + show(key, number));
    }
    return parsed;
  }

  /** A whole number within {@code [min, max]}, or {@code defaultValue} when absent. */
  public int integer(String key, int defaultValue, int min, int max) {
    return (int) longInteger(key, defaultValue, min, max);
  }

  /** {@code true} or {@code false}, or {@code defaultValue} when absent. */
  public boolean bool(String key, boolean defaultValue) {
    Optional<JsonNode> value = value(key);
    if (value.isEmpty()) {
      return defaultValue;
    }
    JsonNode flag = value.get();
    if (flag.isBoolean()) {
      return flag.asBoolean();
    }
    // Feast's pydantic (lax mode) also takes these for a bool; so does Sluice.
    String text = flag.isIntegralNumber() || flag.isTextual() ? flag.asText().trim() : "";
    switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1", "yes", "y", "on", "t":
        return true;
      case "false", "0", "no", "n", "off", "f":
        return false;
      default:
        throw invalid(key, "must be true or false, got: " + show(key, flag));
    }
  }

  /** A mapping of keys to scalars, each as text; empty when absent. */
  public Map<String, String> stringMap(String key) {
    Optional<JsonNode> value = value(key);
    if (value.isEmpty()) {
      return Map.of();
    }
    if (!value.get().isObject()) {
      throw invalid(key, "must be a mapping, got: " + show(key, value.get()));
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> entries = value.get().fields();
        entries.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = entries.next();
      if (!entry.getValue().isValueNode()) {
        throw invalid(key, "must map each key to a single value; '" + entry.getKey() + "' is not");
      }
      map.put(entry.getKey(), entry.getValue().asText());
    }
    return map;
  }

  /** Where the section is, for messages: {@code online_store in /repo/feature_store.yaml}. */
  public String describe() {
    if (name.equals(TOP_LEVEL)) {
      return String.valueOf(file);
    }
    return file == null ? name : name + " in " + file;
  }

  /** An error about the whole section: {@code Invalid <section> in <file>: <detail>}. */
  public InvalidConfigException invalid(String detail) {
    return new InvalidConfigException("Invalid " + describe() + ": " + detail);
  }

  /** An error about one key: {@code Invalid <section>.<key> in <file>: <detail>}. */
  public InvalidConfigException invalid(String key, String detail) {
    String where = name.equals(TOP_LEVEL) ? key : name + "." + key;
    return new InvalidConfigException(
        "Invalid " + (file == null ? where : where + " in " + file) + ": " + detail);
  }

  private String show(String key, JsonNode value) {
    return secrets.contains(key) ? MASK : value.toString();
  }

  private static String bounds(long min, long max) {
    if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
      return ">= " + min;
    }
    return "between " + min + " and " + max;
  }

  /**
   * The known key (or name) at the smallest edit distance from {@code key}, if it is close enough:
   * for "did you mean" in any message.
   */
  public static Optional<String> nearest(String key, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : new TreeSet<>(known)) {
      int distance = editDistance(key, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    // Close enough: a few typos, never more than a third of the word.
    int limit = Math.max(1, Math.min(3, key.length() / 3));
    if (bestDistance <= limit) {
      return Optional.ofNullable(best);
    }
    // Or a shortened form of a known key (cache_ttl for cache_ttl_seconds).
    for (String candidate : new TreeSet<>(known)) {
      if (key.length() >= 4 && candidate.startsWith(key)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Levenshtein distance. Written by hand: ten lines, where a library (commons-text) would have to
   * be kept in step with the copy Spark ships.
   */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
