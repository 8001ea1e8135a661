package io.sluice.registry;

import feast.proto.types.ValueProto.ValueType;
import java.util.Map;
import java.util.Optional;

/**
 * Parses a feature's {@code dtype}: a Feast ValueType name ({@code FLOAT}, {@code INT64_LIST}…) or
 * a Feast Python type name ({@code Float32}, {@code Int64}, {@code Array(Float32)}…).
 */
public final class Dtype {
  /** The forms accepted, for error messages. */
  public static final String ACCEPTED =
      "BYTES, STRING, INT32, INT64, DOUBLE, FLOAT, BOOL, UNIX_TIMESTAMP, their _LIST forms,"
          + " or Bytes, String, Int32, Int64, Float64, Float32, Bool, UnixTimestamp and"
          + " Array(<one of these>)";

  private static final Map<String, ValueType.Enum> PYTHON_NAMES =
      Map.of(
          "Bytes", ValueType.Enum.BYTES,
          "String", ValueType.Enum.STRING,
          "Int32", ValueType.Enum.INT32,
          "Int64", ValueType.Enum.INT64,
          "Float64", ValueType.Enum.DOUBLE,
          "Float32", ValueType.Enum.FLOAT,
          "Bool", ValueType.Enum.BOOL,
          "UnixTimestamp", ValueType.Enum.UNIX_TIMESTAMP);

  private static final Map<ValueType.Enum, ValueType.Enum> LIST_OF =
      Map.of(
          ValueType.Enum.BYTES, ValueType.Enum.BYTES_LIST,
          ValueType.Enum.STRING, ValueType.Enum.STRING_LIST,
          ValueType.Enum.INT32, ValueType.Enum.INT32_LIST,
          ValueType.Enum.INT64, ValueType.Enum.INT64_LIST,
          ValueType.Enum.DOUBLE, ValueType.Enum.DOUBLE_LIST,
          ValueType.Enum.FLOAT, ValueType.Enum.FLOAT_LIST,
          ValueType.Enum.BOOL, ValueType.Enum.BOOL_LIST,
          ValueType.Enum.UNIX_TIMESTAMP, ValueType.Enum.UNIX_TIMESTAMP_LIST);

  private Dtype() {}

  /** The value type named by {@code dtype}, or empty when it is not an accepted form. */
  public static Optional<ValueType.Enum> parse(String dtype) {
    String text = dtype.strip();
    if (text.startsWith("Array(") && text.endsWith(")")) {
      ValueType.Enum element = PYTHON_NAMES.get(text.substring(6, text.length() - 1).strip());
      return Optional.ofNullable(element == null ? null : LIST_OF.get(element));
    }
    if (PYTHON_NAMES.containsKey(text)) {
      return Optional.of(PYTHON_NAMES.get(text));
    }
    return valueTypeName(text);
  }

  /** A Feast ValueType name that can type a column (not INVALID, NULL or UNRECOGNIZED). */
  static Optional<ValueType.Enum> valueTypeName(String text) {
    for (ValueType.Enum type : ValueType.Enum.values()) {
      if (type != ValueType.Enum.UNRECOGNIZED
          && type != ValueType.Enum.INVALID
          && type != ValueType.Enum.NULL
          && type.name().equals(text)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }
}
