package io.sluice.engine.source;

import feast.proto.types.ValueProto.ValueType;
import io.sluice.common.feast.Column;
import io.sluice.engine.InvalidSourceDataException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
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
    } else if (!isTimestamp(type)) {
      problems.add(
          role + " column " + name + " is " + type.simpleString() + ", expected timestamp or date");
    }
  }

  private static void checkColumn(
      Map<String, DataType> types, Column column, String role, List<String> problems) {
    DataType type = types.get(column.name());
    if (type == null) {
      problems.add("no " + role + " column " + column.name());
    } else if (!fits(type, column.type())) {
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

  static boolean isTimestamp(DataType type) {
    return type.equals(DataTypes.TimestampType)
        || type.equals(DataTypes.TimestampNTZType)
        || type.equals(DataTypes.DateType);
  }

  /** Whether values of Spark type {@code type} encode as Feast type {@code declared}. */
  static boolean fits(DataType type, ValueType.Enum declared) {
    return switch (declared) {
      case BYTES -> type.equals(DataTypes.BinaryType);
      case STRING -> type.equals(DataTypes.StringType);
      case INT32 -> isSmallInteger(type) || type.equals(DataTypes.IntegerType);
      case INT64 -> isInteger(type);
      case FLOAT, DOUBLE ->
          type.equals(DataTypes.DoubleType)
              || type.equals(DataTypes.FloatType)
              || type instanceof DecimalType
              || isInteger(type);
      case BOOL -> type.equals(DataTypes.BooleanType);
      case UNIX_TIMESTAMP -> isTimestamp(type) || type.equals(DataTypes.LongType);
      case BYTES_LIST -> isArrayOf(type, ValueType.Enum.BYTES);
      case STRING_LIST -> isArrayOf(type, ValueType.Enum.STRING);
      case INT32_LIST -> isArrayOf(type, ValueType.Enum.INT32);
      case INT64_LIST -> isArrayOf(type, ValueType.Enum.INT64);
      case FLOAT_LIST -> isArrayOf(type, ValueType.Enum.FLOAT);
      case DOUBLE_LIST -> isArrayOf(type, ValueType.Enum.DOUBLE);
      case BOOL_LIST -> isArrayOf(type, ValueType.Enum.BOOL);
      case UNIX_TIMESTAMP_LIST -> isArrayOf(type, ValueType.Enum.UNIX_TIMESTAMP);
      default -> false;
    };
  }

  private static boolean isArrayOf(DataType type, ValueType.Enum element) {
    return type instanceof ArrayType array && fits(array.elementType(), element);
  }

  private static boolean isSmallInteger(DataType type) {
    return type.equals(DataTypes.ShortType) || type.equals(DataTypes.ByteType);
  }

  private static boolean isInteger(DataType type) {
    return isSmallInteger(type)
        || type.equals(DataTypes.IntegerType)
        || type.equals(DataTypes.LongType);
  }

  private static String describe(StructType schema) {
    List<String> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(field.name() + " " + field.dataType().simpleString());
    }
    return String.join(", ", columns);
  }
}
