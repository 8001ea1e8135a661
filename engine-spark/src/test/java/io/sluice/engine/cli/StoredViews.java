package io.sluice.engine.cli;

import feast.proto.core.FeatureViewProto.FeatureView;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.function.Consumer;

/**
 * Reads and rewrites a feature view's stored proto in a SQLite registry, for tests that need a
 * registry as Feast (not Sluice) would have written it: a version number, a relative file path, a
 * source type Sluice does not read.
 */
final class StoredViews {
  private StoredViews() {}

  static FeatureView read(String jdbcUrl, String view) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      return read(c, view);
    }
  }

  /** Applies {@code change} to the stored proto of {@code view} and stores it back. */
  static void rewrite(String jdbcUrl, String view, Consumer<FeatureView.Builder> change)
      throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      FeatureView.Builder builder = read(c, view).toBuilder();
      change.accept(builder);
      try (PreparedStatement update =
          c.prepareStatement(
              "UPDATE feature_views SET feature_view_proto = ? WHERE feature_view_name = ?")) {
        update.setBytes(1, builder.build().toByteArray());
        update.setString(2, view);
        if (update.executeUpdate() != 1) {
          throw new IllegalStateException("no feature view " + view + " in " + jdbcUrl);
        }
      }
    }
  }

  private static FeatureView read(Connection c, String view) throws Exception {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT feature_view_proto FROM feature_views WHERE feature_view_name = ?")) {
      select.setString(1, view);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          throw new IllegalStateException(
              "no feature view " + view + " in " + c.getMetaData().getURL());
        }
        return FeatureView.parseFrom(rows.getBytes(1));
      }
    }
  }
}
