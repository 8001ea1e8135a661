package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.common.feast.Column;
import io.sluice.common.json.Json;
import io.sluice.engine.InvalidUsageException;
import io.sluice.engine.config.RepoConfig;
import io.sluice.engine.source.ViewColumns;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.OnlineReader;
import io.sluice.online.stores.OnlineStores;
import io.sluice.registry.FeatureViewDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice read}: what the online store holds for some entities of a view, as JSON. */
@Command(
    name = "read",
    mixinStandardHelpOptions = true,
    description =
        "Reads the values stored online for entities of a feature view (a spot check of what a run"
            + " wrote). Prints one line of JSON.")
final class ReadCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RepoOptions repo;

  @Mixin RepoOptions.View view;

  @Option(
      names = "--entity",
      required = true,
      description = "Join key values, e.g. driver_id=1001 or driver_id=1,city=paris; repeatable")
  List<String> entities;

  @Override
  public Integer call() {
    return CommandOutput.json(
        spec,
        Json.MAPPER.createObjectNode().put("feature_view", view.name),
        RepoLoader.withRegistry(
            repo.config,
            (result, config, registry) -> {
              FeatureViewDefinition definition = registry.featureView(config.project(), view.name);
              List<List<Object>> keys = new ArrayList<>();
              for (String entity : entities) {
                keys.add(
                    parseEntity(
                        ViewColumns.schema(definition, config.registry().onlineVersioning()),
                        entity));
              }
              result.set("entities", read(config, definition, keys));
            }));
  }

  /** Reads each entity's stored values: {@code {entity, event_timestamp, values}} per entity. */
  static ArrayNode read(RepoConfig repo, FeatureViewDefinition view, List<List<Object>> keys) {
    FeatureViewSchema schema = ViewColumns.schema(view, repo.registry().onlineVersioning());
    ArrayNode rows = Json.MAPPER.createArrayNode();
    try (OnlineReader reader =
        OnlineStores.openReader(repo.onlineStore(), schema, repo.keyFormat())) {
      for (List<Object> key : keys) {
        ObjectNode row = rows.addObject();
        Map<String, Object> entity = new LinkedHashMap<>();
        for (int i = 0; i < key.size(); i++) {
          entity.put(schema.joinKeys().get(i).name(), key.get(i));
        }
        row.set("entity", Json.MAPPER.valueToTree(entity));
        reader
            .read(key)
            .ifPresentOrElse(
                stored -> {
                  row.put("event_timestamp", stored.eventTimestamp().toString());
                  row.set("values", Json.MAPPER.valueToTree(stored.values()));
                },
                () -> row.putNull("values"));
      }
    }
    return rows;
  }

  /** {@code driver_id=1001,city=paris} → values in the view's join key order, typed. */
  static List<Object> parseEntity(FeatureViewSchema view, String text) {
    Map<String, String> given = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      int equals = part.indexOf('=');
      if (equals <= 0) {
        throw new InvalidUsageException(
            "Invalid --entity '" + text + "': expected join_key=value[,join_key=value]");
      }
      given.put(part.substring(0, equals).trim(), part.substring(equals + 1).trim());
    }
    List<Object> values = new ArrayList<>();
    for (Column key : view.joinKeys()) {
      String value = given.remove(key.name());
      if (value == null) {
        throw new InvalidUsageException(
            "Invalid --entity '"
                + text
                + "': no value for join key "
                + key.name()
                + " (join keys: "
                + view.joinKeys().stream().map(Column::name).toList()
                + ")");
      }
      try {
        values.add(
            switch (key.type()) {
              case INT64 -> Long.parseLong(value);
              case INT32 -> Integer.parseInt(value);
              case UNIX_TIMESTAMP -> Timestamps.parse("--entity " + key.name(), value);
              case BYTES -> java.util.HexFormat.of().parseHex(value);
              default -> value;
            });
      } catch (IllegalArgumentException e) {
        throw new InvalidUsageException(
            "Invalid --entity '"
                + text
                + "': "
                + key.name()
                + " is "
                + key.type()
                + ", got '"
                + value
                + "'");
      }
    }
    if (!given.isEmpty()) {
      throw new InvalidUsageException(
          "Invalid --entity '"
              + text
              + "': "
              + given.keySet()
              + " are not join keys of "
              + view.name());
    }
    return values;
  }
}
