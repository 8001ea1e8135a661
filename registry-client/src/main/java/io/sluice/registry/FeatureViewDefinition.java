package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import io.sluice.common.feast.Column;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the engine needs of one feature view, read from the registry.
 *
 * <p>An entity-less view has no {@code entityNames} and no {@code entityColumns}; Feast stores such
 * a view under its dummy entity, and writers key every row by {@link #DUMMY_JOIN_KEY} = {@code ""}.
 *
 * @param entityColumns the join keys (name and Feast value type), in the view's order
 * @param ttl how long a value stays valid; {@link Duration#ZERO} means no limit
 * @param materializationIntervals the recorded intervals, sorted and coalesced
 * @param state Feast's lifecycle state ({@link FeatureViewState#STATE_UNSPECIFIED} for a view never
 *     materialized, or read from a file)
 * @param currentVersionNumber Feast's {@code meta.current_version_number} (0 when unversioned)
 */
public record FeatureViewDefinition(
    String project,
    String name,
    List<String> entityNames,
    List<Column> entityColumns,
    List<Column> features,
    Duration ttl,
    boolean online,
    DataSourceDefinition batchSource,
    List<TimeInterval> materializationIntervals,
    FeatureViewState state,
    int currentVersionNumber) {
  /** Feast's entity name for entity-less views. */
  public static final String DUMMY_ENTITY_NAME = "__dummy";

  /** Feast's join key for entity-less views; its value is the empty string. */
  public static final String DUMMY_JOIN_KEY = "__dummy_id";

  public FeatureViewDefinition {
    requireNonNull(project, "project is null");
    requireNonNull(name, "name is null");
    entityNames = List.copyOf(requireNonNull(entityNames, "entityNames is null"));
    entityColumns = List.copyOf(requireNonNull(entityColumns, "entityColumns is null"));
    features = List.copyOf(requireNonNull(features, "features is null"));
    requireNonNull(ttl, "ttl is null");
    requireNonNull(batchSource, "batchSource is null");
    materializationIntervals =
        TimeIntervals.merge(
            requireNonNull(materializationIntervals, "materializationIntervals is null"));
    requireNonNull(state, "state is null");
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("ttl is negative: " + ttl);
    }
  }

  /** An unversioned view in state {@code STATE_UNSPECIFIED}. */
  public FeatureViewDefinition(
      String project,
      String name,
      List<String> entityNames,
      List<Column> entityColumns,
      List<Column> features,
      Duration ttl,
      boolean online,
      DataSourceDefinition batchSource,
      List<TimeInterval> materializationIntervals) {
    this(
        project,
        name,
        entityNames,
        entityColumns,
        features,
        ttl,
        online,
        batchSource,
        materializationIntervals,
        FeatureViewState.STATE_UNSPECIFIED,
        0);
  }

  /**
   * The name Feast's online stores use for this view: {@code <name>_v<N>} when the registry sets
   * {@code enable_online_feature_view_versioning} and the view has a version N above 0 (Feast's
   * {@code compute_versioned_name}), else the name.
   */
  public String onlineName(boolean versioning) {
    return versioning && currentVersionNumber > 0 ? name + "_v" + currentVersionNumber : name;
  }

  public boolean isEntityless() {
    return entityColumns.isEmpty();
  }

  /** The greatest recorded end, where {@code materialize-incremental} starts. */
  public Optional<java.time.Instant> latestMaterializedEnd() {
    return TimeIntervals.latestEnd(materializationIntervals);
  }
}
