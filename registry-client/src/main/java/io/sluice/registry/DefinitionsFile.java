package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import feast.proto.types.ValueProto.ValueType;
import io.sluice.common.config.ConfigSection;
import io.sluice.common.feast.Column;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The definitions YAML that {@code sluice apply} writes to the registry: entities, data sources and
 * feature views. Parsing checks everything (types, references between sections, duplicate names)
 * and reports the first problem with its line and field, before anything is written.
 *
 * <pre>{@code
 * entities:
 *   - {name: driver, join_key: driver_id, value_type: INT64}
 * data_sources:
 *   - name: driver_stats
 *     type: file                        # file | spark
 *     path: data/driver_stats.parquet   # relative to this file, or a URI (s3a://, hdfs://)
 *     file_format: parquet              # parquet | csv | json | orc | …
 *     timestamp_field: event_timestamp
 *     created_timestamp_column: created # optional; also date_partition_column(_format)
 *     field_mapping: {trips_raw: avg_daily_trips}
 * feature_views:
 *   - name: driver_hourly_stats
 *     entities: [driver]                # [] for an entity-less view
 *     source: driver_stats
 *     ttl: 1d                           # 90s, 15m, 2h, 1d, 2w; 0 = none
 *     online: true
 *     features:
 *       - {name: conv_rate, dtype: FLOAT}      # or Float32, Array(Int64), INT64_LIST, …
 * }</pre>
 *
 * <p>A {@code file} source with a format other than Parquet is stored as a Feast SparkSource with a
 * path (Feast's FileSource reads only Parquet and Delta), so it reads back as {@link
 * SourceKind#SPARK_PATH}.
 *
 * @param entities the entities, in file order
 * @param dataSources the data sources, with paths resolved against the file's folder
 * @param featureViews the feature views, with entities and source resolved; no intervals
 */
public record DefinitionsFile(
    List<EntityDefinition> entities,
    List<DataSourceDefinition> dataSources,
    List<FeatureViewDefinition> featureViews) {
  private static final Set<String> TOP_KEYS = Set.of("entities", "data_sources", "feature_views");
  private static final Set<String> ENTITY_KEYS =
      Set.of("name", "join_key", "value_type", "description");
  private static final Set<String> SOURCE_KEYS =
      Set.of(
          "name",
          "type",
          "path",
          "table",
          "query",
          "file_format",
          "timestamp_field",
          "created_timestamp_column",
          "date_partition_column",
          "date_partition_column_format",
          "field_mapping",
          "description");
  private static final Set<String> VIEW_KEYS =
      Set.of("name", "entities", "source", "ttl", "online", "features", "description");
  private static final Set<String> FEATURE_KEYS = Set.of("name", "dtype", "description");
  private static final Set<ValueType.Enum> JOIN_KEY_TYPES =
      Set.of(
          ValueType.Enum.STRING,
          ValueType.Enum.BYTES,
          ValueType.Enum.INT32,
          ValueType.Enum.INT64,
          ValueType.Enum.UNIX_TIMESTAMP);
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_\\-]*");
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.\\-]*:.*");
  private static final YAMLFactory FACTORY =
      YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

  public DefinitionsFile {
    entities = List.copyOf(requireNonNull(entities, "entities is null"));
    dataSources = List.copyOf(requireNonNull(dataSources, "dataSources is null"));
    featureViews = List.copyOf(requireNonNull(featureViews, "featureViews is null"));
  }

  /** Reads and checks {@code file}; feature views get {@code project}. */
  public static DefinitionsFile parse(Path file, String project) {
    requireNonNull(project, "project is null");
    Path absolute = requireNonNull(file, "file is null").toAbsolutePath().normalize();
    String text;
    try {
      text = Files.readString(absolute);
    } catch (NoSuchFileException e) {
      throw new DefinitionsFileException(absolute, 0, "", "the file does not exist");
    } catch (IOException e) {
      throw new DefinitionsFileException(absolute, 0, "", "cannot read it: " + e);
    }
    return new Parser(absolute, text).parse(project);
  }

  /** One pass over the YAML tree with the line of every node, to name lines in errors. */
  private static final class Parser {
    private final Path file;
    private final String text;
    private final Map<String, Integer> lines = new HashMap<>();

    Parser(Path file, String text) {
      this.file = file;
      this.text = text;
    }

    DefinitionsFile parse(String project) {
      JsonNode root;
      try (JsonParser parser = FACTORY.createParser(text)) {
        for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
          if (token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY) {
            lines.putIfAbsent(
                parser.getParsingContext().pathAsPointer().toString(),
                parser.currentTokenLocation().getLineNr());
          }
        }
        root = MAPPER.readTree(text);
      } catch (JacksonException e) {
        int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        throw new DefinitionsFileException(
            file, line, "", "not valid YAML: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw new DefinitionsFileException(file, 0, "", "cannot read it: " + e);
      }
      Located top = new Located(root == null ? MAPPER.createObjectNode() : root, "", "");
      if (!top.node.isObject()) {
        throw error(top, "expected a mapping with entities, data_sources and feature_views");
      }
      checkKeys(top, TOP_KEYS);

      Map<String, EntityDefinition> entities = new LinkedHashMap<>();
      for (Located item : top.list("entities")) {
        EntityDefinition entity = entity(item);
        if (entities.put(entity.name(), entity) != null) {
          throw error(item.child("name"), "duplicate entity name '" + entity.name() + "'");
        }
      }
      Map<String, DataSourceDefinition> sources = new LinkedHashMap<>();
      for (Located item : top.list("data_sources")) {
        DataSourceDefinition source = source(item);
        if (sources.put(source.name(), source) != null) {
          throw error(item.child("name"), "duplicate data source name '" + source.name() + "'");
        }
      }
      Map<String, FeatureViewDefinition> views = new LinkedHashMap<>();
      for (Located item : top.list("feature_views")) {
        FeatureViewDefinition view = view(item, project, entities, sources);
        if (views.put(view.name(), view) != null) {
          throw error(item.child("name"), "duplicate feature view name '" + view.name() + "'");
        }
      }
      return new DefinitionsFile(
          List.copyOf(entities.values()),
          List.copyOf(sources.values()),
          List.copyOf(views.values()));
    }

    private EntityDefinition entity(Located item) {
      requireMapping(item);
      checkKeys(item, ENTITY_KEYS);
      String name = name(item);
      String joinKey = item.has("join_key") ? identifier(item.child("join_key")) : name;
      Located typeNode = item.required("value_type");
      String typeName = text(typeNode);
      ValueType.Enum type =
          Dtype.valueTypeName(typeName)
              .orElseThrow(
                  () ->
                      error(
                          typeNode,
                          "unknown value type '" + typeName + "'; use " + JOIN_KEY_TYPES));
      if (!JOIN_KEY_TYPES.contains(type)) {
        throw error(
            typeNode, "value type " + type + " cannot be a join key; use one of " + JOIN_KEY_TYPES);
      }
      return new EntityDefinition(name, joinKey, type);
    }

    private DataSourceDefinition source(Located item) {
      requireMapping(item);
      checkKeys(item, SOURCE_KEYS);
      String name = name(item);
      String type = text(item.required("type"));
      String path = item.has("path") ? resolve(text(item.child("path"))) : null;
      String table = item.has("table") ? text(item.child("table")) : null;
      String query = item.has("query") ? text(item.child("query")) : null;
      String format =
          item.has("file_format") ? text(item.child("file_format")).toLowerCase() : null;
      int locations = (path == null ? 0 : 1) + (table == null ? 0 : 1) + (query == null ? 0 : 1);
      SourceKind kind;
      switch (type) {
        case "file" -> {
          if (path == null || locations > 1) {
            throw error(item.child("path"), "a file source needs `path:` (and no table or query)");
          }
          format = format == null ? "parquet" : format;
          kind = format.equals("parquet") ? SourceKind.FILE : SourceKind.SPARK_PATH;
        }
        case "spark" -> {
          if (locations != 1) {
            throw error(
                item.child("path"), "a spark source needs exactly one of path, table or query");
          }
          kind =
              path != null
                  ? SourceKind.SPARK_PATH
                  : table != null ? SourceKind.SPARK_TABLE : SourceKind.SPARK_QUERY;
          if (path != null && format == null) {
            format = "parquet";
          }
          if (path == null && format != null) {
            throw error(
                item.child("file_format"), "file_format applies only to a source with path");
          }
        }
        default ->
            throw error(
                item.child("type"), "unknown source type '" + type + "'; use file or spark");
      }
      Map<String, String> mapping = new LinkedHashMap<>();
      if (item.has("field_mapping")) {
        Located mappingNode = item.child("field_mapping");
        requireMapping(mappingNode);
        for (Iterator<String> names = mappingNode.node.fieldNames(); names.hasNext(); ) {
          String column = names.next();
          mapping.put(column, identifier(mappingNode.child(column)));
        }
      }
      return new DataSourceDefinition(
          name,
          kind,
          path,
          table,
          query,
          format,
          identifier(item.required("timestamp_field")),
          optionalIdentifier(item, "created_timestamp_column"),
          optionalIdentifier(item, "date_partition_column"),
          item.has("date_partition_column_format")
              ? text(item.child("date_partition_column_format"))
              : null,
          mapping);
    }

    private FeatureViewDefinition view(
        Located item,
        String project,
        Map<String, EntityDefinition> entities,
        Map<String, DataSourceDefinition> sources) {
      requireMapping(item);
      checkKeys(item, VIEW_KEYS);
      String name = name(item);
      List<String> entityNames = new ArrayList<>();
      List<Column> entityColumns = new ArrayList<>();
      for (Located entityNode : item.list("entities")) {
        String entityName = text(entityNode);
        EntityDefinition entity = entities.get(entityName);
        if (entity == null) {
          throw error(
              entityNode,
              "unknown entity '" + entityName + "'; entities in this file: " + entities.keySet());
        }
        if (entityNames.contains(entityName)) {
          throw error(entityNode, "entity '" + entityName + "' is listed twice");
        }
        entityNames.add(entityName);
        entityColumns.add(new Column(entity.joinKey(), entity.valueType()));
      }
      Located sourceNode = item.required("source");
      String sourceName = text(sourceNode);
      DataSourceDefinition source = sources.get(sourceName);
      if (source == null) {
        throw error(
            sourceNode,
            "unknown data source '"
                + sourceName
                + "'; data sources in this file: "
                + sources.keySet());
      }
      Duration ttl = Duration.ZERO;
      if (item.has("ttl")) {
        Located ttlNode = item.child("ttl");
        String ttlText = ttlNode.node.asText();
        ttl =
            Ttl.parse(ttlText)
                .orElseThrow(
                    () -> error(ttlNode, "invalid ttl '" + ttlText + "'; use " + Ttl.ACCEPTED));
      }
      boolean online = true;
      if (item.has("online")) {
        Located onlineNode = item.child("online");
        if (!onlineNode.node.isBoolean()) {
          throw error(onlineNode, "expected true or false, got '" + onlineNode.node.asText() + "'");
        }
        online = onlineNode.node.booleanValue();
      }
      List<Column> features = new ArrayList<>();
      List<Located> featureNodes = item.list("features");
      if (featureNodes.isEmpty()) {
        throw error(item.child("features"), "a feature view needs at least one feature");
      }
      Set<String> taken = new TreeSet<>(entityColumns.stream().map(Column::name).toList());
      for (Located featureNode : featureNodes) {
        requireMapping(featureNode);
        checkKeys(featureNode, FEATURE_KEYS);
        String featureName = name(featureNode);
        if (!taken.add(featureName)) {
          throw error(
              featureNode.child("name"),
              "duplicate column '" + featureName + "' (features and join keys must differ)");
        }
        Located dtypeNode = featureNode.required("dtype");
        String dtype = text(dtypeNode);
        ValueType.Enum type =
            Dtype.parse(dtype)
                .orElseThrow(
                    () -> error(dtypeNode, "unknown dtype '" + dtype + "'; use " + Dtype.ACCEPTED));
        features.add(new Column(featureName, type));
      }
      return new FeatureViewDefinition(
          project,
          name,
          entityNames,
          entityColumns,
          features,
          ttl,
          online,
          source,
          List.of(),
          FeatureViewState.STATE_UNSPECIFIED,
          0);
    }

    private String resolve(String path) {
      if (URI_SCHEME.matcher(path).matches() || path.startsWith("/")) {
        return path;
      }
      return file.getParent().resolve(path).normalize().toString();
    }

    private String name(Located item) {
      return identifier(item.required("name"));
    }

    private String optionalIdentifier(Located item, String key) {
      return item.has(key) ? identifier(item.child(key)) : null;
    }

    private String identifier(Located node) {
      String value = text(node);
      if (!NAME.matcher(value).matches()) {
        throw error(
            node,
            "invalid name '"
                + value
                + "'; use letters, digits, _ and -, not starting with a digit");
      }
      return value;
    }

    private String text(Located node) {
      if (!node.node.isValueNode() || node.node.isNull() || node.node.asText().isBlank()) {
        throw error(node, "expected a non-empty text value");
      }
      return node.node.asText().strip();
    }

    private void requireMapping(Located node) {
      if (!node.node.isObject()) {
        throw error(node, "expected a mapping of keys to values");
      }
    }

    private void checkKeys(Located node, Set<String> known) {
      for (Iterator<String> names = node.node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!known.contains(name)) {
          throw error(
              node.child(name),
              ConfigSection.unknownKeyMessage("unknown key '" + name + "'", name, known));
        }
      }
    }

    private DefinitionsFileException error(Located node, String problem) {
      return new DefinitionsFileException(file, node.line(), node.label, problem);
    }

    /** A node with its JSON pointer (to find its line) and a readable label. */
    private final class Located {
      final JsonNode node;
      final String pointer;
      final String label;

      Located(JsonNode node, String pointer, String label) {
        this.node = node;
        this.pointer = pointer;
        this.label = label;
      }

      boolean has(String key) {
        JsonNode child = node.get(key);
        return child != null && !child.isNull();
      }

      Located child(String key) {
        JsonNode child = node.get(key);
        return new Located(
            child == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : child,
            pointer + "/" + key.replace("~", "~0").replace("/", "~1"),
            label.isEmpty() ? key : label + "." + key);
      }

      Located required(String key) {
        Located child = child(key);
        if (!has(key)) {
          throw error(child, "required key '" + key + "' is missing");
        }
        return child;
      }

      /** The elements of the list at {@code key}; empty when absent. */
      List<Located> list(String key) {
        Located child = child(key);
        if (!has(key)) {
          return List.of();
        }
        if (!child.node.isArray()) {
          throw error(child, "expected a list");
        }
        List<Located> elements = new ArrayList<>();
        for (int i = 0; i < child.node.size(); i++) {
          elements.add(
              new Located(child.node.get(i), child.pointer + "/" + i, child.label + "[" + i + "]"));
        }
        return elements;
      }

      /** The line of this node, or of its nearest ancestor that is in the file. */
      int line() {
        for (String current = pointer; ; current = current.substring(0, current.lastIndexOf('/'))) {
          Integer line = lines.get(current);
          if (line != null) {
            return line;
          }
          if (current.isEmpty()) {
            return 1;
          }
        }
      }
    }
  }
}
