package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import feast.proto.types.ValueProto.ValueType;

/** A named, typed column of a feature view: a join key or a feature. */
public record ColumnDefinition(String name, ValueType.Enum type) {
  public ColumnDefinition {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name is empty");
    }
  }
}
