package io.sluice.common.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every key Feast accepts in {@code feature_store.yaml}, section by section and type by type, and
 * what Sluice does with each: honours it, or ignores it with a reason (one INFO line per section
 * naming the ignored keys the file sets). A key that changes what is written and that Sluice cannot
 * honour is refused by its owner with {@link ConfigSection#invalid(String, String)}.
 *
 * <p>The key lists come from Feast's own config classes, extracted by {@code
 * tools/feast-config-keys.py} into {@code feast-config-keys.json} (Feast {@value #FEAST_VERSION});
 * regenerate it when Sluice follows a newer Feast. An owner reads a section so:
 *
 * <pre>{@code
 * FeastKeys.of(section, "redis")
 *     .honoured(CONNECTION_STRING, KEY_TTL_SECONDS)
 *     .ignored("only Feast's deletion uses it", FULL_SCAN_FOR_DELETION)
 *     .check();
 * }</pre>
 *
 * {@link #check()} refuses a key Feast does not know for that section and type ("did you mean"),
 * and fails as a bug when one of Feast's keys is neither honoured nor ignored, so a newer key list
 * cannot slip through unclassified: the tests that load a file with every key find it.
 */
public final class FeastKeys {
  public static final String FEAST_VERSION = "0.66.0";
  private static final Logger LOG = LoggerFactory.getLogger(FeastKeys.class);
  private static final String RESOURCE = "feast-config-keys.json";
  private static final JsonNode TABLE = load();

  private final ConfigSection section;
  private final String type;
  private final Set<String> feastKeys;
  private final boolean feastForbidsExtraKeys;
  private final Set<String> honoured = new LinkedHashSet<>();
  private final Map<String, String> ignored = new LinkedHashMap<>();
  private final Set<String> own = new LinkedHashSet<>();

  private FeastKeys(ConfigSection section, String type, Set<String> feastKeys) {
    this.section = section;
    this.type = type;
    this.feastKeys = feastKeys;
    this.feastForbidsExtraKeys = "forbid".equals(node(section.name(), type).get("extra").asText());
  }

  /**
   * The keys of a typed section ({@code online_store}, {@code offline_store}, {@code batch_engine},
   * {@code registry}, {@code feature_server}, {@code auth}) for {@code type}, or of an untyped one
   * ({@code materialization}, {@code openlineage}, ...) when {@code type} is null.
   *
   * @throws IllegalArgumentException when Feast has no such section or no such type in it
   */
  public static FeastKeys of(ConfigSection section, String type) {
    requireNonNull(section, "section is null");
    return new FeastKeys(
        section,
        type,
        keys(section.name(), type)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Feast "
                            + FEAST_VERSION
                            + " has no "
                            + section.name()
                            + (type == null ? "" : " type '" + type + "'"))));
  }

  /** Feast's keys for a section and type; empty when Feast has no such section or type. */
  public static Optional<Set<String>> keys(String sectionName, String type) {
    JsonNode section = node(sectionName, type);
    if (section == null) {
      return Optional.empty();
    }
    Set<String> keys = new LinkedHashSet<>();
    section.get("keys").forEach(key -> keys.add(key.asText()));
    return Optional.of(Set.copyOf(keys));
  }

  private static JsonNode node(String sectionName, String type) {
    JsonNode section =
        sectionName.isEmpty() ? TABLE.get("top_level") : TABLE.get("sections").get(sectionName);
    if (section != null && section.has("types")) {
      section = type == null ? null : section.get("types").get(type);
    }
    return section;
  }

  /** The type names Feast defines for a typed section, in Feast's order. */
  public static List<String> types(String sectionName) {
    JsonNode types = TABLE.get("sections").get(sectionName).get("types");
    List<String> names = new ArrayList<>();
    types.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The top-level sections Feast defines. */
  public static List<String> sections() {
    List<String> names = new ArrayList<>();
    TABLE.get("sections").fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** Keys its owner reads (a key Feast does not have here is the owner's bug). */
  public FeastKeys honoured(String... keys) {
    for (String key : keys) {
      honoured.add(requireFeastKey(key));
    }
    return this;
  }

  /** Keys Sluice accepts and does not use, and why ("only Feast's reads use it"). */
  public FeastKeys ignored(String reason, String... keys) {
    for (String key : keys) {
      ignored.put(requireFeastKey(key), requireNonNull(reason, "reason is null"));
    }
    return this;
  }

  /**
   * Keys that are not Feast's and that the owner reads itself, where Feast allows extra keys (the
   * top level's {@code sluice:}).
   */
  public FeastKeys own(String... keys) {
    own.addAll(List.of(keys));
    return this;
  }

  /** Every key not yet honoured or ignored, ignored for {@code reason}. */
  public FeastKeys ignoreTheRest(String reason) {
    for (String key : feastKeys) {
      if (!honoured.contains(key) && !ignored.containsKey(key)) {
        ignored.put(key, reason);
      }
    }
    return this;
  }

  /**
   * Refuses a key Feast does not accept here, logs one INFO line naming the ignored keys the file
   * sets, and gives the section back for reading.
   *
   * @throws InvalidConfigException for a key Feast does not know in this section and type
   * @throws IllegalStateException when one of Feast's keys was neither honoured nor ignored
   */
  public ConfigSection check() {
    Set<String> unclassified = new TreeSet<>(feastKeys);
    unclassified.removeAll(honoured);
    unclassified.removeAll(ignored.keySet());
    if (!unclassified.isEmpty()) {
      throw new IllegalStateException(
          "Sluice does not say what it does with Feast's "
              + where()
              + " keys "
              + unclassified
              + "; honour or ignore each");
    }
    for (String key : section.keys()) {
      if (!feastKeys.contains(key) && !own.contains(key)) {
        StringBuilder message = new StringBuilder("unknown key '").append(key).append("'");
        ConfigSection.nearest(key, known())
            .ifPresent(near -> message.append(" (did you mean '").append(near).append("'?)"));
        message.append(": Feast ").append(FEAST_VERSION);
        message.append(
            feastForbidsExtraKeys
                ? " does not accept it in " + where() + ", so Sluice refuses it too"
                : " has no such key in "
                    + where()
                    + " (Feast would ignore it; Sluice refuses it so that a misspelt key is not"
                    + " silently ignored)");
        message.append("; known keys: ").append(new TreeSet<>(known()));
        throw section.invalid(message.toString());
      }
    }
    Map<String, List<String>> byReason = new LinkedHashMap<>();
    for (String key : section.keys()) {
      String reason = ignored.get(key);
      if (reason != null) {
        byReason.computeIfAbsent(reason, r -> new ArrayList<>()).add(key);
      }
    }
    if (!byReason.isEmpty()) {
      StringBuilder line = new StringBuilder(section.describe()).append(": ignoring ");
      for (Iterator<Map.Entry<String, List<String>>> it = byReason.entrySet().iterator();
          it.hasNext(); ) {
        Map.Entry<String, List<String>> entry = it.next();
        line.append(String.join(", ", entry.getValue())).append(" (").append(entry.getKey());
        line.append(it.hasNext() ? "); " : ")");
      }
      LOG.info("{}", line);
    }
    return section;
  }

  private Set<String> known() {
    Set<String> known = new LinkedHashSet<>(feastKeys);
    known.addAll(own);
    return known;
  }

  private String where() {
    String name = section.name().isEmpty() ? "the top level" : section.name();
    return type == null ? name : name + " of type '" + type + "'";
  }

  private String requireFeastKey(String key) {
    if (!feastKeys.contains(requireNonNull(key, "key is null"))) {
      throw new IllegalArgumentException(
          "Feast " + FEAST_VERSION + " has no key '" + key + "' in " + where());
    }
    return key;
  }

  private static JsonNode load() {
    try (InputStream in = FeastKeys.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      JsonNode table = Json.MAPPER.readTree(in);
      String version = table.get("feast_version").asText();
      if (!version.equals(FEAST_VERSION)) {
        throw new IllegalStateException(RESOURCE + " is for Feast " + version);
      }
      return table;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
