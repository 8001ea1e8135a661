package io.sluice.online.format;

import feast.proto.types.ValueProto.Value;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The text and number forms of a value that Feast's SQL online stores keep beside its bytes, for
 * search and filters ({@code value_text}, {@code value_num}): Feast's {@code extract_text_and_num}.
 * A string is its own text and has no number; an int32, int64, float or double is Python's {@code
 * str()} of it and its double; a bool is {@code True}/{@code False} and 1.0/0.0; every other kind
 * (bytes, lists, timestamps, null) has neither.
 */
public final class ValueTextAndNumber {
  private ValueTextAndNumber() {}

  /** The {@code value_text} of {@code value}, empty for the kinds that have none. */
  public static Optional<String> text(Value value) {
    return switch (value.getValCase()) {
      case STRING_VAL -> Optional.of(value.getStringVal());
      case INT32_VAL -> Optional.of(Integer.toString(value.getInt32Val()));
      case INT64_VAL -> Optional.of(Long.toString(value.getInt64Val()));
        // Python sees a float32 as the double of it, and prints that double.
      case FLOAT_VAL -> Optional.of(PythonFloatRepr.format(value.getFloatVal()));
      case DOUBLE_VAL -> Optional.of(PythonFloatRepr.format(value.getDoubleVal()));
      case BOOL_VAL -> Optional.of(value.getBoolVal() ? "True" : "False");
      default -> Optional.empty();
    };
  }

  /** The {@code value_num} of {@code value}, empty for the kinds that have none. */
  public static OptionalDouble number(Value value) {
    return switch (value.getValCase()) {
      case INT32_VAL -> OptionalDouble.of(value.getInt32Val());
        // Rounded to the nearest double, ties to even, as Python's float(int).
      case INT64_VAL -> OptionalDouble.of((double) value.getInt64Val());
      case FLOAT_VAL -> OptionalDouble.of(value.getFloatVal());
      case DOUBLE_VAL -> OptionalDouble.of(value.getDoubleVal());
      case BOOL_VAL -> OptionalDouble.of(value.getBoolVal() ? 1.0 : 0.0);
      default -> OptionalDouble.empty();
    };
  }
}
