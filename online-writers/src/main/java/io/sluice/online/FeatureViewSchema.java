package io.sluice.online;

import static java.util.Objects.requireNonNull;

import io.sluice.common.feast.Column;
import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a writer needs to know of one feature view: its project, name, join keys and features, each
 * with the Feast value type that decides how values are encoded.
 *
 * <p>An entity-less view has no join keys; writers then use Feast's dummy key {@code __dummy_id} =
 * {@code ""}. Serializable so the engine can ship it to executors.
 */
public record FeatureViewSchema(
    String project, String name, List<Column> joinKeys, List<Column> features)
    implements Serializable {

  public FeatureViewSchema {
    requireNonNull(project, "project is null");
    requireNonNull(name, "name is null");
    joinKeys = List.copyOf(requireNonNull(joinKeys, "joinKeys is null"));
    features = List.copyOf(requireNonNull(features, "features is null"));
    if (project.isEmpty() || name.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid feature view: project and name must be set: " + project + "/" + name);
    }
    Set<String> seen = new HashSet<>();
    for (Column column : joinKeys) {
      if (!seen.add(column.name())) {
        throw new IllegalArgumentException(
            "Invalid feature view " + name + ": join key " + column.name() + " appears twice");
      }
    }
    seen.clear();
    for (Column column : features) {
      if (!seen.add(column.name())) {
        throw new IllegalArgumentException(
            "Invalid feature view " + name + ": feature " + column.name() + " appears twice");
      }
    }
  }
}
