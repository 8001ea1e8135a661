package io.sluice.online.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import feast.proto.types.ValueProto.Int64List;
import feast.proto.types.ValueProto.StringList;
import feast.proto.types.ValueProto.Value;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Feast's extract_text_and_num, kind by kind. */
class ValueTextAndNumberTest {
  private static void assertForms(Value value, String text, OptionalDouble number) {
    assertThat(ValueTextAndNumber.text(value)).as("text of %s", value).hasValue(text);
    assertThat(ValueTextAndNumber.number(value)).as("number of %s", value).isEqualTo(number);
  }

  private static void assertNoForms(Value value) {
    assertThat(ValueTextAndNumber.text(value)).as("text of %s", value).isEmpty();
    assertThat(ValueTextAndNumber.number(value)).as("number of %s", value).isEmpty();
  }

  @Test
  void aStringIsItsOwnTextAndHasNoNumber() {
    assertForms(Value.newBuilder().setStringVal("driver 7").build(), "driver 7", none());
    assertForms(Value.newBuilder().setStringVal("12.5").build(), "12.5", none());
    assertForms(Value.newBuilder().setStringVal("").build(), "", none());
  }

  @Test
  void numbersArePythonsTextAndTheirDouble() {
    assertForms(Value.newBuilder().setInt32Val(-7).build(), "-7", OptionalDouble.of(-7));
    assertForms(
        Value.newBuilder().setInt64Val(Long.MAX_VALUE).build(),
        "9223372036854775807",
        OptionalDouble.of(0x1p63));
    assertForms(
        Value.newBuilder().setInt64Val((1L << 53) + 1).build(),
        "9007199254740993",
        OptionalDouble.of(9007199254740992.0));
    assertForms(Value.newBuilder().setDoubleVal(1e16).build(), "1e+16", OptionalDouble.of(1e16));
    assertForms(Value.newBuilder().setDoubleVal(2.0).build(), "2.0", OptionalDouble.of(2.0));
    assertForms(
        Value.newBuilder().setFloatVal(0.1f).build(),
        "0.10000000149011612",
        OptionalDouble.of(0.10000000149011612));
    assertForms(
        Value.newBuilder().setDoubleVal(Double.NaN).build(), "nan", OptionalDouble.of(Double.NaN));
  }

  @Test
  void boolsArePythonsTextAndOneOrZero() {
    assertForms(Value.newBuilder().setBoolVal(true).build(), "True", OptionalDouble.of(1.0));
    assertForms(Value.newBuilder().setBoolVal(false).build(), "False", OptionalDouble.of(0.0));
  }

  @Test
  void bytesListsTimestampsAndNullHaveNeither() {
    assertNoForms(Value.newBuilder().setBytesVal(ByteString.copyFromUtf8("x")).build());
    assertNoForms(Value.newBuilder().setUnixTimestampVal(1714607999L).build());
    assertNoForms(Value.newBuilder().setStringListVal(StringList.newBuilder().addVal("a")).build());
    assertNoForms(Value.newBuilder().setInt64ListVal(Int64List.newBuilder().addVal(1)).build());
    assertNoForms(Value.getDefaultInstance());
  }

  private static OptionalDouble none() {
    return OptionalDouble.empty();
  }
}
