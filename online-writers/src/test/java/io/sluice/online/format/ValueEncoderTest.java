package io.sluice.online.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import feast.proto.types.ValueProto.Value;
import feast.proto.types.ValueProto.ValueType;
import io.sluice.online.InvalidFeatureValueException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueEncoderTest {
  private static Value encode(ValueType.Enum type, Object value) {
    return ValueEncoder.encode("f", type, value);
  }

  @Test
  void everyScalarTypeUsesItsField() {
    assertThat(encode(ValueType.Enum.BYTES, new byte[] {1, 2}).getBytesVal())
        .isEqualTo(ByteString.copyFrom(new byte[] {1, 2}));
    assertThat(encode(ValueType.Enum.STRING, "s").getStringVal()).isEqualTo("s");
    assertThat(encode(ValueType.Enum.INT32, 7).getInt32Val()).isEqualTo(7);
    assertThat(encode(ValueType.Enum.INT64, 7L).getInt64Val()).isEqualTo(7L);
    assertThat(encode(ValueType.Enum.DOUBLE, 0.5d).getDoubleVal()).isEqualTo(0.5d);
    assertThat(encode(ValueType.Enum.FLOAT, 0.25f).getFloatVal()).isEqualTo(0.25f);
    assertThat(encode(ValueType.Enum.BOOL, true).getBoolVal()).isTrue();
    assertThat(
            encode(ValueType.Enum.UNIX_TIMESTAMP, Instant.ofEpochSecond(100, 5))
                .getUnixTimestampVal())
        .isEqualTo(100L);
  }

  @Test
  void declaredTypeDecidesTheField() {
    Value widened = encode(ValueType.Enum.INT64, 5);
    assertThat(widened.getValCase()).isEqualTo(Value.ValCase.INT64_VAL);
    assertThat(widened.getInt64Val()).isEqualTo(5L);
    assertThat(encode(ValueType.Enum.INT32, 5L).getValCase()).isEqualTo(Value.ValCase.INT32_VAL);
    assertThat(encode(ValueType.Enum.DOUBLE, 2.5f).getDoubleVal()).isEqualTo(2.5d);
    assertThat(encode(ValueType.Enum.FLOAT, 2.5d).getFloatVal()).isEqualTo(2.5f);
    assertThat(encode(ValueType.Enum.DOUBLE, 3).getDoubleVal()).isEqualTo(3.0d);
  }

  @Test
  void everyListType() {
    assertThat(
            encode(ValueType.Enum.BYTES_LIST, List.of(new byte[] {9}))
                .getBytesListVal()
                .getValList())
        .containsExactly(ByteString.copyFrom(new byte[] {9}));
    assertThat(
            encode(ValueType.Enum.STRING_LIST, List.of("a", "b")).getStringListVal().getValList())
        .containsExactly("a", "b");
    assertThat(encode(ValueType.Enum.INT32_LIST, List.of(1, 2)).getInt32ListVal().getValList())
        .containsExactly(1, 2);
    assertThat(encode(ValueType.Enum.INT64_LIST, List.of(1, 2L)).getInt64ListVal().getValList())
        .containsExactly(1L, 2L);
    assertThat(
            encode(ValueType.Enum.DOUBLE_LIST, new double[] {1.5}).getDoubleListVal().getValList())
        .containsExactly(1.5d);
    assertThat(
            encode(ValueType.Enum.FLOAT_LIST, new float[] {1.5f, 2f})
                .getFloatListVal()
                .getValList())
        .containsExactly(1.5f, 2f);
    assertThat(encode(ValueType.Enum.BOOL_LIST, List.of(true, false)).getBoolListVal().getValList())
        .containsExactly(true, false);
    assertThat(
            encode(ValueType.Enum.UNIX_TIMESTAMP_LIST, List.of(Instant.ofEpochSecond(3)))
                .getUnixTimestampListVal()
                .getValList())
        .containsExactly(3L);
    assertThat(encode(ValueType.Enum.INT64_LIST, List.of()).getValCase())
        .isEqualTo(Value.ValCase.INT64_LIST_VAL);
  }

  @Test
  void nullIsTheEmptyValue() {
    assertThat(encode(ValueType.Enum.DOUBLE, null).toByteArray()).isEmpty();
    assertThat(encode(ValueType.Enum.STRING_LIST, null).getValCase())
        .isEqualTo(Value.ValCase.VAL_NOT_SET);
  }

  @Test
  void valueThatDoesNotFitNamesColumnTypeAndValue() {
    assertThatThrownBy(() -> ValueEncoder.encode("conv_rate", ValueType.Enum.FLOAT, "fast"))
        .isInstanceOf(InvalidFeatureValueException.class)
        .hasMessage(
            "Invalid value for conv_rate (declared FLOAT): fast (String) does not fit FLOAT");
    assertThatThrownBy(() -> ValueEncoder.encode("trips", ValueType.Enum.INT32, 3_000_000_000L))
        .hasMessage(
            "Invalid value for trips (declared INT32): 3000000000 (Long) does not fit INT32");
    assertThatThrownBy(() -> ValueEncoder.encode("trips", ValueType.Enum.INT64, 1.5d))
        .hasMessage("Invalid value for trips (declared INT64): 1.5 (Double) does not fit INT64");
    assertThatThrownBy(() -> ValueEncoder.encode("x", ValueType.Enum.FLOAT, 1e300d))
        .hasMessage("Invalid value for x (declared FLOAT): 1.0E300 (Double) does not fit FLOAT");
    assertThatThrownBy(() -> ValueEncoder.encode("ok", ValueType.Enum.BOOL, 1))
        .hasMessage("Invalid value for ok (declared BOOL): 1 (Integer) does not fit BOOL");
  }

  @Test
  void listsRejectNullElementsAndScalars() {
    assertThatThrownBy(
            () ->
                ValueEncoder.encode(
                    "xs", ValueType.Enum.INT64_LIST, java.util.Arrays.asList(1L, null)))
        .isInstanceOf(InvalidFeatureValueException.class)
        .hasMessageContaining("Invalid value for xs (declared INT64_LIST): a list element is null");
    assertThatThrownBy(() -> ValueEncoder.encode("xs", ValueType.Enum.INT64_LIST, 5L))
        .hasMessage("Invalid value for xs (declared INT64_LIST): 5 (Long) does not fit INT64_LIST");
  }

  @Test
  void invalidDeclaredTypeIsRejected() {
    assertThatThrownBy(() -> ValueEncoder.encode("x", ValueType.Enum.INVALID, 1))
        .isInstanceOf(InvalidFeatureValueException.class)
        .hasMessage("Invalid type for column x: INVALID is not a Feast value type");
  }
}
