package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;

import feast.proto.types.ValueProto.ValueType;
import org.junit.jupiter.api.Test;

class DtypeTest {
  @Test
  void valueTypeNamesParse() {
    assertThat(Dtype.parse("FLOAT")).contains(ValueType.Enum.FLOAT);
    assertThat(Dtype.parse("INT64")).contains(ValueType.Enum.INT64);
    assertThat(Dtype.parse("UNIX_TIMESTAMP")).contains(ValueType.Enum.UNIX_TIMESTAMP);
    assertThat(Dtype.parse("DOUBLE_LIST")).contains(ValueType.Enum.DOUBLE_LIST);
  }

  @Test
  void pythonTypeNamesParse() {
    assertThat(Dtype.parse("Float32")).contains(ValueType.Enum.FLOAT);
    assertThat(Dtype.parse("Float64")).contains(ValueType.Enum.DOUBLE);
    assertThat(Dtype.parse("Int32")).contains(ValueType.Enum.INT32);
    assertThat(Dtype.parse("Int64")).contains(ValueType.Enum.INT64);
    assertThat(Dtype.parse("String")).contains(ValueType.Enum.STRING);
    assertThat(Dtype.parse("Bytes")).contains(ValueType.Enum.BYTES);
    assertThat(Dtype.parse("Bool")).contains(ValueType.Enum.BOOL);
    assertThat(Dtype.parse("UnixTimestamp")).contains(ValueType.Enum.UNIX_TIMESTAMP);
    assertThat(Dtype.parse("Array(Float32)")).contains(ValueType.Enum.FLOAT_LIST);
    assertThat(Dtype.parse("Array( Int64 )")).contains(ValueType.Enum.INT64_LIST);
  }

  @Test
  void unknownOrMeaninglessTypesDoNotParse() {
    assertThat(Dtype.parse("float")).isEmpty();
    assertThat(Dtype.parse("INVALID")).isEmpty();
    assertThat(Dtype.parse("NULL")).isEmpty();
    assertThat(Dtype.parse("Array(Array(Int64))")).isEmpty();
    assertThat(Dtype.parse("Array(FLOAT)")).isEmpty();
  }
}
