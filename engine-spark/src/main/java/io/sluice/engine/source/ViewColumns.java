package io.sluice.engine.source;

import static java.util.Objects.requireNonNull;

import io.sluice.common.feast.Column;
import io.sluice.engine.layout.ReducedLayout;
import io.sluice.online.FeatureViewSchema;
import io.sluice.registry.FeatureViewDefinition;
import java.util.List;

/**
 * The columns one run needs, after {@code field_mapping}: join keys and features (named and typed
 * as the view declares them), the event timestamp and the optional created timestamp.
 */
public record ViewColumns(
    List<Column> joinKeys, List<Column> features, String eventTimestamp, String createdTimestamp) {
  public ViewColumns {
    joinKeys = List.copyOf(requireNonNull(joinKeys, "joinKeys is null"));
    features = List.copyOf(requireNonNull(features, "features is null"));
    requireNonNull(eventTimestamp, "eventTimestamp is null");
  }

  public static ViewColumns of(FeatureViewDefinition view) {
    return new ViewColumns(
        view.entityColumns(),
        view.features(),
        view.batchSource().timestampField(),
        view.batchSource().createdTimestampColumn());
  }

  /** The layout of the rows the reduction keeps: join keys, timestamps, features. */
  public ReducedLayout layout() {
    return new ReducedLayout(joinKeys, features);
  }

  /**
   * The writers' view of the same columns, under the name Feast's online stores use for the view:
   * with {@code versioning} (the registry's {@code enable_online_feature_view_versioning}) a view
   * at version N above 0 is written as {@code <name>_v<N>}, as Feast does.
   */
  public static FeatureViewSchema schema(FeatureViewDefinition view, boolean versioning) {
    ViewColumns columns = of(view);
    return new FeatureViewSchema(
        view.project(), view.onlineName(versioning), columns.joinKeys, columns.features);
  }
}
