package io.sluice.online;

/** Feast's {@code entity_key_serialization_version}: how entity keys become bytes. */
public enum EntityKeyFormat {
  /** Deprecated by Feast; names carry no length prefix and there is no key count. */
  V2,
  /** Feast's default: a key count, then length-prefixed names, then typed values. */
  V3;

  /** The format for a {@code entity_key_serialization_version} number. */
  public static EntityKeyFormat fromVersion(int version) {
    return switch (version) {
      case 2 -> V2;
      case 3 -> V3;
      default ->
          throw new IllegalArgumentException(
              "Invalid entity_key_serialization_version: "
                  + version
                  + " (Sluice writes versions 2 and 3; Feast's default is 3)");
    };
  }
}
