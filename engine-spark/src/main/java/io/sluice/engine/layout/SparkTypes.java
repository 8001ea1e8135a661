package io.sluice.engine.layout;

import feast.proto.types.ValueProto.ValueType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/**
 * The one table of Spark types against Feast value types: for every Feast type a column may be
 * declared as, which Spark source types can be written as it ({@link #accepts}, checked before
 * anything is written), and the Spark type its column takes in a reduced row ({@link
 * #reducedType}): timestamps without a zone and dates become timestamps (UTC), decimals and
 * integers declared FLOAT or DOUBLE become doubles, so that no value can fail on an executor after
 * other partitions were written. The writers then map the reduced row's Java values to Feast's
 * encoding.
 */
public final class SparkTypes {
  /** One Feast type's row of the table. */
  private record Entry(Predicate<DataType> accepts, UnaryOperator<DataType> reducedType) {}

  private static final Map<ValueType.Enum, Entry> TABLE = new EnumMap<>(ValueType.Enum.class);

  static {
    scalar(ValueType.Enum.BYTES, type -> type.equals(DataTypes.BinaryType), same());
    scalar(ValueType.Enum.STRING, type -> type.equals(DataTypes.StringType), same());
    scalar(ValueType.Enum.INT32, SparkTypes::isInt32, same());
    scalar(ValueType.Enum.INT64, SparkTypes::isInteger, same());
    scalar(ValueType.Enum.FLOAT, SparkTypes::isNumber, SparkTypes::floatingPoint);
    scalar(ValueType.Enum.DOUBLE, SparkTypes::isNumber, SparkTypes::floatingPoint);
    scalar(ValueType.Enum.BOOL, type -> type.equals(DataTypes.BooleanType), same());
    scalar(
        ValueType.Enum.UNIX_TIMESTAMP,
        type -> isTimestamp(type) || type.equals(DataTypes.LongType),
        SparkTypes::timestamp);
    list(ValueType.Enum.BYTES_LIST, ValueType.Enum.BYTES, same());
    list(ValueType.Enum.STRING_LIST, ValueType.Enum.STRING, same());
    list(ValueType.Enum.INT32_LIST, ValueType.Enum.INT32, same());
    list(ValueType.Enum.INT64_LIST, ValueType.Enum.INT64, same());
    list(ValueType.Enum.FLOAT_LIST, ValueType.Enum.FLOAT, SparkTypes::floatingPoint);
    list(ValueType.Enum.DOUBLE_LIST, ValueType.Enum.DOUBLE, SparkTypes::floatingPoint);
    list(ValueType.Enum.BOOL_LIST, ValueType.Enum.BOOL, same());
    // Epoch seconds (long) stay longs; every other time type becomes a timestamp.
    list(
        ValueType.Enum.UNIX_TIMESTAMP_LIST,
        ValueType.Enum.UNIX_TIMESTAMP,
        type -> type.equals(DataTypes.LongType) ? type : DataTypes.TimestampType);
  }

  private SparkTypes() {}

  /**
   * Whether values of the Spark type {@code type} can be written as Feast type {@code declared}.
   */
  public static boolean accepts(ValueType.Enum declared, DataType type) {
    Entry entry = TABLE.get(declared);
    return entry != null && entry.accepts().test(type);
  }

  /**
   * The Spark type a column of {@code type} declared {@code declared} takes in a reduced row, when
   * it differs from {@code type} (the column is then cast); empty when it stays as it is.
   */
  public static Optional<DataType> reducedType(ValueType.Enum declared, DataType type) {
    Entry entry = TABLE.get(declared);
    DataType reduced = entry == null ? type : entry.reducedType().apply(type);
    return reduced.equals(type) ? Optional.empty() : Optional.of(reduced);
  }

  /** Whether an event or created timestamp column may have this type. */
  public static boolean isTimestamp(DataType type) {
    return type.equals(DataTypes.TimestampType)
        || type.equals(DataTypes.TimestampNTZType)
        || type.equals(DataTypes.DateType);
  }

  /** The reduced type of an event or created timestamp column: a timestamp. */
  public static DataType timestamp(DataType type) {
    return isTimestamp(type) ? DataTypes.TimestampType : type;
  }

  /** Whether a Feast type is one of the {@code _LIST} types (a Spark array column). */
  public static boolean isList(ValueType.Enum declared) {
    return declared.name().endsWith("_LIST");
  }

  private static void scalar(
      ValueType.Enum declared, Predicate<DataType> accepts, UnaryOperator<DataType> reduced) {
    TABLE.put(declared, new Entry(accepts, reduced));
  }

  private static void list(
      ValueType.Enum declared, ValueType.Enum element, UnaryOperator<DataType> reducedElement) {
    TABLE.put(
        declared,
        new Entry(
            type -> type instanceof ArrayType array && accepts(element, array.elementType()),
            type ->
                type instanceof ArrayType array
                    ? DataTypes.createArrayType(reducedElement.apply(array.elementType()))
                    : type));
  }

  private static UnaryOperator<DataType> same() {
    return UnaryOperator.identity();
  }

  /** Floats stay floats; every other number becomes a double (as Feast's own conversion rounds). */
  private static DataType floatingPoint(DataType type) {
    return type.equals(DataTypes.FloatType) ? type : DataTypes.DoubleType;
  }

  private static boolean isInt32(DataType type) {
    return type.equals(DataTypes.ByteType)
        || type.equals(DataTypes.ShortType)
        || type.equals(DataTypes.IntegerType);
  }

  private static boolean isInteger(DataType type) {
    return isInt32(type) || type.equals(DataTypes.LongType);
  }

  private static boolean isNumber(DataType type) {
    return isInteger(type)
        || type.equals(DataTypes.FloatType)
        || type.equals(DataTypes.DoubleType)
        || type instanceof DecimalType;
  }
}
