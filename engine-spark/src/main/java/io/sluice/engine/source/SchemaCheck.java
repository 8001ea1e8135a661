package io.sluice.engine.source;

import io.sluice.common.feast.Column;
import io.sluice.engine.InvalidSourceDataException;
import io.sluice.engine.layout.SparkTypes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Checks a source's schema against the feature view before anything is written: every join key,
 * feature and timestamp column exists, with a Spark type that encodes as its declared Feast type.
 * All problems are reported at once.
 */
public final class SchemaCheck {
  private SchemaCheck() {}

  /**
   * @throws InvalidSourceDataException naming every missing or incompatible column
   */
  public static void check(
      String viewName, String sourceName, StructType schema, ViewColumns view) {
    Map<String, DataType> types = new LinkedHashMap<>();
    for (StructField field : schema.fields()) {
      types.put(field.name(), field.dataType());
    }
    List<String> problems = new ArrayList<>();
    checkTimestamp(types, view.eventTimestamp(), "event timestamp", problems);
    if (view.createdTimestamp() != null) {
      checkTimestamp(types, view.createdTimestamp(), "created timestamp", problems);
    }
    for (Column key : view.joinKeys()) {
      checkColumn(types, key, "join key", problems);
    }
    for (Column feature : view.features()) {
      checkColumn(types, feature, "feature", problems);
    }
    if (!problems.isEmpty()) {
      throw new InvalidSourceDataException(
          "Cannot materialize feature view "
              + viewName
              + " from source "
              + sourceName
              + ": "
              + String.join("; ", problems)
              + " (source columns: "
              + describe(schema)
              + ")");
    }
  }

  private static void checkTimestamp(
      Map<String, DataType> types, String name, String role, List<String> problems) {
    DataType type = types.get(name);
    if (type == null) {
      problems.add("no " + role + " column " + name);
    } else if (!SparkTypes.isTimestamp(type)) {
      problems.add(
          role + " column " + name + " is " + type.simpleString() + ", expected timestamp or date");
    }
  }

  private static void checkColumn(
      Map<String, DataType> types, Column column, String role, List<String> problems) {
    DataType type = types.get(column.name());
    if (type == null) {
      problems.add("no " + role + " column " + column.name());
    } else if (!SparkTypes.accepts(column.type(), type)) {
      problems.add(
          role
              + " "
              + column.name()
              + " is "
              + type.simpleString()
              + ", which cannot be written as "
              + column.type());
    }
  }

  private static String describe(StructType schema) {
    List<String> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(field.name() + " " + field.dataType().simpleString());
    }
    return String.join(", ", columns);
  }
}
