package io.sluice.common.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Feast {@code feature_store.yaml}, loaded once: {@code ${VAR}} references expanded from the
 * environment, parsed, and split into its top-level sections.
 *
 * <p>This class checks only what it owns: the file is a YAML mapping, {@code project} is set, and
 * every top-level key is one Feast defines (a misspelt key such as {@code regsitry} fails naming
 * {@code registry} instead of being ignored). The content of each section is left to its owner,
 * which reads it through the {@link ConfigSection} that {@link #section} gives: the registry client
 * for {@code registry}, the online store for {@code online_store}, the engine for {@code
 * batch_engine}. Relative paths inside the file resolve against {@link #directory()}, as in Feast.
 *
 * <p>Sections may hold secrets (passwords, connection strings); {@link #toString()} shows only the
 * file and the project.
 */
public final class FeatureStoreConfigFile {
  public static final String PROJECT = "project";
  public static final String REGISTRY = "registry";
  public static final String ONLINE_STORE = "online_store";
  public static final String OFFLINE_STORE = "offline_store";
  public static final String BATCH_ENGINE = "batch_engine";
  public static final String BATCH_ENGINE_CONFIG = "batch_engine_config";
  public static final String ENTITY_KEY_SERIALIZATION_VERSION = "entity_key_serialization_version";

  /** Feast's default when {@value #ENTITY_KEY_SERIALIZATION_VERSION} is absent. */
  public static final int DEFAULT_ENTITY_KEY_SERIALIZATION_VERSION = 3;

  /** Sluice's own top-level section; Feast ignores unknown top-level keys, and so this one. */
  public static final String SLUICE = "sluice";

  public static final String MATERIALIZATION = "materialization";

  /** Top-level keys Sluice honours; every other Feast key concerns only Feast's servers. */
  private static final Set<String> HONOURED =
      Set.of(
          PROJECT,
          REGISTRY,
          ONLINE_STORE,
          OFFLINE_STORE,
          BATCH_ENGINE,
          BATCH_ENGINE_CONFIG,
          ENTITY_KEY_SERIALIZATION_VERSION,
          MATERIALIZATION);

  /**
   * Feast's sections that only Feast's own servers, SDK and UI use, each checked against Feast's
   * keys for it (so a misspelt key is still caught) and then ignored.
   */
  private static final Map<String, String> FEAST_ONLY_SECTIONS =
      Map.of(
          "auth", "no_auth",
          "feature_server", "local",
          "embedding_model", "",
          "mlflow", "",
          "data_quality_monitoring", "",
          "openlineage", "");

  /** Feast's {@code ALLOWED_AUTH_TYPES}. */
  private static final List<String> AUTH_TYPES = List.of("no_auth", "kubernetes", "oidc");

  /** Written by older Feast versions; Feast 0.66 still accepts them as extra top-level keys. */
  private static final Set<String> LEGACY_KEYS =
      Set.of("go_feature_serving", "go_feature_retrieval");

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path file;
  private final Path directory;
  private final String project;
  private final ObjectNode root;

  private FeatureStoreConfigFile(Path file, String project, ObjectNode root) {
    this.file = file;
    this.directory = file.getParent();
    this.project = project;
    this.root = root;
  }

  /** Loads {@code file}, expanding {@code ${VAR}} from the process environment. */
  public static FeatureStoreConfigFile load(Path file) {
    return load(file, System.getenv());
  }

  /** Loads {@code file}, expanding {@code ${VAR}} from {@code environment}. */
  public static FeatureStoreConfigFile load(Path file, Map<String, String> environment) {
    requireNonNull(file, "file is null");
    requireNonNull(environment, "environment is null");
    Path absolute = file.toAbsolutePath().normalize();
    String text;
    try {
      text = Files.readString(absolute);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException("Cannot read " + absolute + ": the file does not exist", e);
    } catch (IOException e) {
      throw new InvalidConfigException("Cannot read " + absolute + ": " + e, e);
    }
    String expanded = expand(absolute, text, environment);
    JsonNode tree;
    try {
      tree = YAML.readTree(expanded);
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new InvalidConfigException(
          "Invalid YAML in " + absolute + " at line " + line + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidConfigException("Cannot read " + absolute + ": " + e, e);
    }
    if (!(tree instanceof ObjectNode)) {
      throw new InvalidConfigException(
          "Invalid "
              + absolute
              + ": expected a mapping with `project:` and `registry:` at the top");
    }
    ObjectNode root = (ObjectNode) tree;
    ConfigSection top = ConfigSection.topLevel(absolute, root);
    requireKnownTopLevelKeys(top);
    FeastKeys.of(top, null)
        .own(SLUICE)
        .own(LEGACY_KEYS.toArray(String[]::new))
        .honoured(HONOURED.toArray(String[]::new))
        .ignoreTheRest("used only by Feast's own SDK, servers and UI")
        .check();
    if (root.get(BATCH_ENGINE) != null && root.get(BATCH_ENGINE_CONFIG) != null) {
      throw top.invalid(
          BATCH_ENGINE_CONFIG, "is the same section as batch_engine; set only one of them");
    }
    checkFeastOnlySections(absolute, root);
    String project = top.text(PROJECT, "");
    if (project.isBlank()) {
      throw top.invalid("`project:` must be set to the Feast project name");
    }
    return new FeatureStoreConfigFile(absolute, project, root);
  }

  private static void requireKnownTopLevelKeys(ConfigSection top) {
    Set<String> known = new java.util.TreeSet<>(FeastKeys.keys("", null).orElseThrow());
    known.add(SLUICE);
    known.addAll(LEGACY_KEYS);
    // Feast allows any top-level key; Sluice still catches a misspelt one (regsitry).
    for (String key : top.keys()) {
      if (!known.contains(key)) {
        throw top.invalid(
            ConfigSection.unknownKeyMessage("unknown top-level key '" + key + "'", key, known)
                + "; Sluice's own settings go under `sluice:`");
      }
    }
  }

  /** Checks the keys of the sections only Feast uses, by Feast's rules for each type. */
  private static void checkFeastOnlySections(Path file, ObjectNode root) {
    for (Map.Entry<String, String> entry : FEAST_ONLY_SECTIONS.entrySet()) {
      ConfigSection section = ConfigSection.of(file, entry.getKey(), root.get(entry.getKey()));
      if (!section.isPresent()) {
        continue;
      }
      String type = null;
      if (!entry.getValue().isEmpty()) {
        Optional<String> shorthand = section.shorthand();
        type = shorthand.isPresent() ? shorthand.get() : section.text("type", entry.getValue());
        if (shorthand.isPresent()) {
          section = ConfigSection.of(file, entry.getKey(), null);
        }
        if (entry.getKey().equals("auth") && !AUTH_TYPES.contains(type)) {
          throw section.invalid(
              "type", "'" + type + "' is not one Feast accepts; use one of " + AUTH_TYPES);
        }
        if ("oidc".equals(type)) {
          type = "oidc_client"; // Feast picks between the two by the keys; this one has them all
        }
        if (FeastKeys.keys(entry.getKey(), type).isEmpty()) {
          throw section.invalid(
              "type",
              "'"
                  + type
                  + "' is not a type Feast "
                  + FeastKeys.FEAST_VERSION
                  + " accepts here; use"
                  + " one of "
                  + FeastKeys.types(entry.getKey()));
        }
      } else if (section.shorthand().isPresent()) {
        throw section.invalid("must be a mapping of keys to values");
      }
      if (section.isPresent()) {
        FeastKeys.of(section, type)
            .ignoreTheRest("used only by Feast's own SDK and servers")
            .check();
      }
    }
  }

  /** Replaces {@code ${VAR}} line by line so an unset variable is reported with its line. */
  private static String expand(Path file, String text, Map<String, String> environment) {
    String[] lines = text.split("\n", -1);
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (!line.stripLeading().startsWith("#")) {
        Matcher matcher = VARIABLE.matcher(line);
        StringBuilder expanded = new StringBuilder();
        while (matcher.find()) {
          String value = environment.get(matcher.group(1));
          if (value == null) {
            throw new InvalidConfigException(
                String.format(
                    "Cannot expand ${%s} in %s, line %d: environment variable %s is not set",
                    matcher.group(1), file, i + 1, matcher.group(1)));
          }
          matcher.appendReplacement(expanded, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(expanded);
        line = expanded.toString();
      }
      out.append(line);
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** The loaded file, absolute. */
  public Path file() {
    return file;
  }

  /** The folder holding the file; relative paths in the configuration resolve against it. */
  public Path directory() {
    return directory;
  }

  public String project() {
    return project;
  }

  /**
   * The {@code registry} section; it must be present.
   *
   * @throws InvalidConfigException when the file has no {@code registry:}
   */
  public ConfigSection registry() {
    ConfigSection registry = section(REGISTRY);
    if (!registry.isPresent()) {
      throw new InvalidConfigException(
          "Invalid "
              + file
              + ": `registry:` is missing; Sluice needs `registry: {registry_type: sql,"
              + " path: <SQLAlchemy URL>}`");
    }
    return registry;
  }

  /**
   * {@value #ENTITY_KEY_SERIALIZATION_VERSION}, default {@value
   * #DEFAULT_ENTITY_KEY_SERIALIZATION_VERSION}. Which versions are supported is the online writers'
   * decision.
   */
  public int entityKeySerializationVersion() {
    return ConfigSection.topLevel(file, root)
        .integer(
            ENTITY_KEY_SERIALIZATION_VERSION,
            DEFAULT_ENTITY_KEY_SERIALIZATION_VERSION,
            Integer.MIN_VALUE,
            Integer.MAX_VALUE);
  }

  /** The top level, for reading its scalars. */
  public ConfigSection topLevel() {
    return ConfigSection.topLevel(file, root);
  }

  /** A top-level section by key, for its owner to read; absent when not written or null. */
  public ConfigSection section(String key) {
    requireNonNull(key, "key is null");
    if (key.equals(BATCH_ENGINE) && root.get(BATCH_ENGINE) == null) {
      // Feast's RepoConfig also takes the section under its field name.
      return ConfigSection.of(file, key, root.get(BATCH_ENGINE_CONFIG));
    }
    return ConfigSection.of(file, key, root.get(key));
  }

  @Override
  public String toString() {
    return "FeatureStoreConfigFile{file=" + file + ", project=" + project + "}";
  }
}
