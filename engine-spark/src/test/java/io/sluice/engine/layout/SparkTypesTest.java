package io.sluice.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;

import feast.proto.types.ValueProto.ValueType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

class SparkTypesTest {
  private static DataType array(DataType element) {
    return DataTypes.createArrayType(element);
  }

  @Test
  void integersFitTheirWidthAndWider() {
    assertThat(SparkTypes.accepts(ValueType.Enum.INT32, DataTypes.IntegerType)).isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.INT32, DataTypes.ShortType)).isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.INT32, DataTypes.LongType)).isFalse();
    assertThat(SparkTypes.accepts(ValueType.Enum.INT64, DataTypes.ByteType)).isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.INT64, DataTypes.LongType)).isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.INT64, DataTypes.DoubleType)).isFalse();
  }

  @Test
  void anyNumberFitsFloatAndDoubleAndBecomesADoubleUnlessItIsAFloat() {
    for (ValueType.Enum declared :
        new ValueType.Enum[] {ValueType.Enum.FLOAT, ValueType.Enum.DOUBLE}) {
      assertThat(SparkTypes.accepts(declared, DataTypes.createDecimalType(10, 2))).isTrue();
      assertThat(SparkTypes.accepts(declared, DataTypes.LongType)).isTrue();
      assertThat(SparkTypes.accepts(declared, DataTypes.StringType)).isFalse();
      assertThat(SparkTypes.reducedType(declared, DataTypes.FloatType)).isEmpty();
      assertThat(SparkTypes.reducedType(declared, DataTypes.DoubleType)).isEmpty();
      assertThat(SparkTypes.reducedType(declared, DataTypes.LongType))
          .hasValue(DataTypes.DoubleType);
      assertThat(SparkTypes.reducedType(declared, DataTypes.createDecimalType(10, 2)))
          .hasValue(DataTypes.DoubleType);
    }
    assertThat(SparkTypes.reducedType(ValueType.Enum.DOUBLE_LIST, array(DataTypes.LongType)))
        .hasValue(array(DataTypes.DoubleType));
    assertThat(SparkTypes.reducedType(ValueType.Enum.FLOAT_LIST, array(DataTypes.FloatType)))
        .isEmpty();
  }

  @Test
  void timesBecomeTimestampsAndEpochSecondsStayLongs() {
    assertThat(SparkTypes.accepts(ValueType.Enum.UNIX_TIMESTAMP, DataTypes.DateType)).isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.UNIX_TIMESTAMP, DataTypes.LongType)).isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.UNIX_TIMESTAMP, DataTypes.StringType)).isFalse();
    assertThat(SparkTypes.reducedType(ValueType.Enum.UNIX_TIMESTAMP, DataTypes.TimestampNTZType))
        .hasValue(DataTypes.TimestampType);
    assertThat(SparkTypes.reducedType(ValueType.Enum.UNIX_TIMESTAMP, DataTypes.LongType)).isEmpty();
    assertThat(
            SparkTypes.reducedType(
                ValueType.Enum.UNIX_TIMESTAMP_LIST, array(DataTypes.TimestampNTZType)))
        .hasValue(array(DataTypes.TimestampType));
    assertThat(SparkTypes.timestamp(DataTypes.DateType)).isEqualTo(DataTypes.TimestampType);
    assertThat(SparkTypes.isTimestamp(DataTypes.TimestampNTZType)).isTrue();
    assertThat(SparkTypes.isTimestamp(DataTypes.LongType)).isFalse();
  }

  @Test
  void listsTakeArraysOfTheirElementType() {
    assertThat(SparkTypes.accepts(ValueType.Enum.STRING_LIST, array(DataTypes.StringType)))
        .isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.STRING_LIST, DataTypes.StringType)).isFalse();
    assertThat(SparkTypes.accepts(ValueType.Enum.INT32_LIST, array(DataTypes.LongType))).isFalse();
    assertThat(SparkTypes.accepts(ValueType.Enum.BYTES_LIST, array(DataTypes.BinaryType))).isTrue();
    assertThat(SparkTypes.reducedType(ValueType.Enum.STRING_LIST, array(DataTypes.StringType)))
        .isEmpty();
    assertThat(SparkTypes.isList(ValueType.Enum.BOOL_LIST)).isTrue();
    assertThat(SparkTypes.isList(ValueType.Enum.BOOL)).isFalse();
  }

  @Test
  void scalarsTakeExactlyTheirType() {
    assertThat(SparkTypes.accepts(ValueType.Enum.STRING, DataTypes.StringType)).isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.STRING, DataTypes.BinaryType)).isFalse();
    assertThat(SparkTypes.accepts(ValueType.Enum.BYTES, DataTypes.BinaryType)).isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.BOOL, DataTypes.BooleanType)).isTrue();
    assertThat(SparkTypes.accepts(ValueType.Enum.BOOL, DataTypes.IntegerType)).isFalse();
    assertThat(SparkTypes.accepts(ValueType.Enum.INVALID, DataTypes.StringType)).isFalse();
  }
}
