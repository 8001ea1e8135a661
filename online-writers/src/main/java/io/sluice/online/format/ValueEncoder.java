package io.sluice.online.format;

import com.google.protobuf.ByteString;
import feast.proto.types.ValueProto.BoolList;
import feast.proto.types.ValueProto.BytesList;
import feast.proto.types.ValueProto.DoubleList;
import feast.proto.types.ValueProto.FloatList;
import feast.proto.types.ValueProto.Int32List;
import feast.proto.types.ValueProto.Int64List;
import feast.proto.types.ValueProto.StringList;
import feast.proto.types.ValueProto.Value;
import feast.proto.types.ValueProto.ValueType;
import io.sluice.online.InvalidFeatureValueException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes plain Java values as Feast {@code ValueProto.Value}s. The declared Feast type decides the
 * encoding: an {@code Integer} declared INT64 becomes {@code int64_val}; a value that does not fit
 * its declared type (a {@code Long} beyond int32 declared INT32, a string declared FLOAT) is an
 * {@link InvalidFeatureValueException} naming the column, the type and the value. Null becomes the
 * empty {@code Value}, Feast's null.
 */
public final class ValueEncoder {
  private static final Value EMPTY = Value.getDefaultInstance();

  private ValueEncoder() {}

  /** Encodes {@code value} of column {@code column} declared as {@code type}. */
  public static Value encode(String column, ValueType.Enum type, Object value) {
    if (value == null) {
      return EMPTY;
    }
    Value.Builder builder = Value.newBuilder();
    switch (type) {
      case BYTES -> builder.setBytesVal(toBytes(column, type, value));
      case STRING -> builder.setStringVal(toText(column, type, value));
      case INT32 -> builder.setInt32Val(toInt(column, type, value));
      case INT64 -> builder.setInt64Val(toLong(column, type, value));
      case DOUBLE -> builder.setDoubleVal(toDouble(column, type, value));
      case FLOAT -> builder.setFloatVal(toFloat(column, type, value));
      case BOOL -> builder.setBoolVal(toBoolean(column, type, value));
      case UNIX_TIMESTAMP -> builder.setUnixTimestampVal(toEpochSeconds(column, type, value));
      case BYTES_LIST ->
          builder.setBytesListVal(
              BytesList.newBuilder().addAllVal(each(column, type, value, ValueEncoder::toBytes)));
      case STRING_LIST ->
          builder.setStringListVal(
              StringList.newBuilder().addAllVal(each(column, type, value, ValueEncoder::toText)));
      case INT32_LIST ->
          builder.setInt32ListVal(
              Int32List.newBuilder().addAllVal(each(column, type, value, ValueEncoder::toInt)));
      case INT64_LIST ->
          builder.setInt64ListVal(
              Int64List.newBuilder().addAllVal(each(column, type, value, ValueEncoder::toLong)));
      case DOUBLE_LIST ->
          builder.setDoubleListVal(
              DoubleList.newBuilder().addAllVal(each(column, type, value, ValueEncoder::toDouble)));
      case FLOAT_LIST ->
          builder.setFloatListVal(
              FloatList.newBuilder().addAllVal(each(column, type, value, ValueEncoder::toFloat)));
      case BOOL_LIST ->
          builder.setBoolListVal(
              BoolList.newBuilder().addAllVal(each(column, type, value, ValueEncoder::toBoolean)));
      case UNIX_TIMESTAMP_LIST ->
          builder.setUnixTimestampListVal(
              Int64List.newBuilder()
                  .addAllVal(each(column, type, value, ValueEncoder::toEpochSeconds)));
      default ->
          throw new InvalidFeatureValueException(
              "Invalid type for column " + column + ": " + type + " is not a Feast value type");
    }
    return builder.build();
  }

  static ByteString toBytes(String column, ValueType.Enum type, Object value) {
    if (value instanceof byte[] bytes) {
      return ByteString.copyFrom(bytes);
    }
    if (value instanceof ByteString bytes) {
      return bytes;
    }
    throw mismatch(column, type, value);
  }

  static String toText(String column, ValueType.Enum type, Object value) {
    if (value instanceof CharSequence text) {
      return text.toString();
    }
    throw mismatch(column, type, value);
  }

  static int toInt(String column, ValueType.Enum type, Object value) {
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).intValue();
    }
    if (value instanceof Long number && number == number.intValue()) {
      return number.intValue();
    }
    throw mismatch(column, type, value);
  }

  static long toLong(String column, ValueType.Enum type, Object value) {
    if (value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    throw mismatch(column, type, value);
  }

  static double toDouble(String column, ValueType.Enum type, Object value) {
    if (value instanceof Double
        || value instanceof Float
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Byte) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof Long number && (double) number == number) {
      return number;
    }
    throw mismatch(column, type, value);
  }

  static float toFloat(String column, ValueType.Enum type, Object value) {
    if (value instanceof Float number) {
      return number;
    }
    if (value instanceof Double number) {
      // A double column declared FLOAT is narrowed as Feast does; only magnitudes float cannot
      // hold at all are rejected.
      float narrowed = number.floatValue();
      if (Float.isInfinite(narrowed) && !number.isInfinite()) {
        throw mismatch(column, type, value);
      }
      return narrowed;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).floatValue();
    }
    if (value instanceof Long number) {
      return number.floatValue();
    }
    throw mismatch(column, type, value);
  }

  static boolean toBoolean(String column, ValueType.Enum type, Object value) {
    if (value instanceof Boolean flag) {
      return flag;
    }
    throw mismatch(column, type, value);
  }

  /** Feast stores unix timestamps as whole epoch seconds. */
  static long toEpochSeconds(String column, ValueType.Enum type, Object value) {
    if (value instanceof Instant instant) {
      return instant.getEpochSecond();
    }
    if (value instanceof java.util.Date date) { // java.sql.Timestamp included
      return Math.floorDiv(date.getTime(), 1000L);
    }
    if (value instanceof Long || value instanceof Integer) {
      return ((Number) value).longValue();
    }
    throw mismatch(column, type, value);
  }

  /** One scalar conversion of a list's elements, with the column and type for messages. */
  @FunctionalInterface
  private interface Element<T> {
    T convert(String column, ValueType.Enum type, Object value);
  }

  /** The list's elements, each converted as its scalar type is. */
  private static <T> List<T> each(
      String column, ValueType.Enum type, Object value, Element<T> convert) {
    List<?> elements = elements(column, type, value);
    List<T> converted = new java.util.ArrayList<>(elements.size());
    for (Object element : elements) {
      converted.add(convert.convert(column, type, element));
    }
    return converted;
  }

  private static List<?> elements(String column, ValueType.Enum type, Object value) {
    List<?> list;
    if (value instanceof List<?> values) {
      list = values;
    } else if (value instanceof Object[] array) {
      list = Arrays.asList(array);
    } else if (value instanceof float[] array) {
      Float[] boxed = new Float[array.length];
      for (int i = 0; i < array.length; i++) {
        boxed[i] = array[i];
      }
      list = Arrays.asList(boxed);
    } else if (value instanceof double[] array) {
      list = Arrays.stream(array).boxed().toList();
    } else if (value instanceof long[] array) {
      list = Arrays.stream(array).boxed().toList();
    } else if (value instanceof int[] array) {
      list = Arrays.stream(array).boxed().toList();
    } else {
      throw mismatch(column, type, value);
    }
    for (Object element : list) {
      if (element == null) {
        throw new InvalidFeatureValueException(
            "Invalid value for "
                + column
                + " (declared "
                + type
                + "): a list element is null; Feast lists cannot hold nulls: "
                + list);
      }
    }
    return list;
  }

  static InvalidFeatureValueException mismatch(String column, ValueType.Enum type, Object value) {
    return new InvalidFeatureValueException(
        "Invalid value for "
            + column
            + " (declared "
            + type
            + "): "
            + describe(value)
            + " does not fit "
            + type);
  }

  private static String describe(Object value) {
    String text = value instanceof byte[] bytes ? bytes.length + " bytes" : String.valueOf(value);
    if (text.length() > 80) {
      text = text.substring(0, 77) + "...";
    }
    return text + " (" + value.getClass().getSimpleName() + ")";
  }
}
