package io.sluice.common.feast;

import static java.util.Objects.requireNonNull;

import feast.proto.types.ValueProto.ValueType;
import java.io.Serializable;

/** A named column of a feature view with its Feast value type: a join key or a feature. */
public record Column(String name, ValueType.Enum type) implements Serializable {
  public Column {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("Invalid column: name is empty");
    }
  }
}
