package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import feast.proto.types.ValueProto.ValueType;

/** A Feast entity: its name, its one join key and the key's value type. */
public record EntityDefinition(String name, String joinKey, ValueType.Enum valueType) {
  public EntityDefinition {
    requireNonNull(name, "name is null");
    requireNonNull(joinKey, "joinKey is null");
    requireNonNull(valueType, "valueType is null");
  }
}
