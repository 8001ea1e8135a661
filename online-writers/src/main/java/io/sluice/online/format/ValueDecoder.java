package io.sluice.online.format;

import feast.proto.types.ValueProto.Value;
import java.time.Instant;
import java.util.List;

/** Feast {@code ValueProto.Value}s back to plain Java values; the empty Value is null. */
public final class ValueDecoder {
  private ValueDecoder() {}

  public static Object toJava(Value value) {
    return switch (value.getValCase()) {
      case BYTES_VAL -> value.getBytesVal().toByteArray();
      case STRING_VAL -> value.getStringVal();
      case INT32_VAL -> value.getInt32Val();
      case INT64_VAL -> value.getInt64Val();
      case DOUBLE_VAL -> value.getDoubleVal();
      case FLOAT_VAL -> value.getFloatVal();
      case BOOL_VAL -> value.getBoolVal();
      case UNIX_TIMESTAMP_VAL -> Instant.ofEpochSecond(value.getUnixTimestampVal());
      case BYTES_LIST_VAL ->
          value.getBytesListVal().getValList().stream().map(b -> b.toByteArray()).toList();
      case STRING_LIST_VAL -> List.copyOf(value.getStringListVal().getValList());
      case INT32_LIST_VAL -> List.copyOf(value.getInt32ListVal().getValList());
      case INT64_LIST_VAL -> List.copyOf(value.getInt64ListVal().getValList());
      case DOUBLE_LIST_VAL -> List.copyOf(value.getDoubleListVal().getValList());
      case FLOAT_LIST_VAL -> List.copyOf(value.getFloatListVal().getValList());
      case BOOL_LIST_VAL -> List.copyOf(value.getBoolListVal().getValList());
      case UNIX_TIMESTAMP_LIST_VAL ->
          value.getUnixTimestampListVal().getValList().stream()
              .map(Instant::ofEpochSecond)
              .toList();
      default -> null;
    };
  }
}
