package io.sluice.registry;

import feast.proto.core.DataSourceProto.DataSource;
import feast.proto.core.EntityProto.Entity;
import feast.proto.core.FeatureViewProto.FeatureView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Writes Feast's objects inside the caller's transaction: applies a definitions file (entities,
 * data sources, feature views, and the project's metadata the way Feast creates it) and merges a
 * materialized interval into a feature view. Every write bumps the project's {@code
 * feast_metadata.last_updated_timestamp}, which Feast readers watch to refresh their caches.
 * Stateless apart from the reader it locks rows with.
 */
final class FeastObjectWriter {
  private static final String LAST_UPDATED_KEY = "last_updated_timestamp";
  private static final String PROJECT_UUID_KEY = "project_uuid";
  private static final String DECISION_STRATEGY_KEY = "permissions_decision_strategy";

  private final FeastObjectReader reader;

  /** Feast's {@code purge_feast_metadata}: leave the feast_metadata table alone. */
  private final boolean purgeFeastMetadata;

  FeastObjectWriter(FeastObjectReader reader) {
    this.reader = reader;
    this.purgeFeastMetadata = reader.config().purgeFeastMetadata();
  }

  /**
   * Writes the file's objects to {@code project}. Existing objects are updated from their stored
   * protos, so they keep recorded intervals, created timestamps and every field Sluice does not
   * set; objects not in the file are left alone.
   */
  void apply(Connection connection, String project, DefinitionsFile definitions)
      throws SQLException {
    Instant now = Instant.now();
    initProject(connection, project, now);
    List<EntityDefinition> entities = new ArrayList<>(definitions.entities());
    if (definitions.featureViews().stream().anyMatch(FeatureViewDefinition::isEntityless)) {
      entities.add(FeastProtos.dummyEntity());
    }
    for (EntityDefinition entity : entities) {
      Optional<Entity> existing = reader.lockEntity(connection, project, entity.name());
      Entity proto = FeastProtos.entity(existing, project, entity, now);
      upsertObject(
          connection,
          "entities",
          "entity_name",
          "entity_proto",
          project,
          entity.name(),
          proto.toByteArray(),
          now);
    }
    Map<String, DataSource> sources = new LinkedHashMap<>();
    for (DataSourceDefinition source : definitions.dataSources()) {
      Optional<DataSource> existing = reader.lockDataSource(connection, project, source.name());
      DataSource proto = FeastProtos.dataSource(existing, project, source);
      sources.put(source.name(), proto);
      upsertObject(
          connection,
          "data_sources",
          "data_source_name",
          "data_source_proto",
          project,
          source.name(),
          proto.toByteArray(),
          now);
    }
    for (FeatureViewDefinition view : definitions.featureViews()) {
      Optional<FeatureView> existing = reader.lockFeatureView(connection, project, view.name());
      FeatureView proto =
          FeastProtos.featureView(
              existing, project, view, sources.get(view.batchSource().name()), now);
      upsertObject(
          connection,
          "feature_views",
          "feature_view_name",
          "feature_view_proto",
          project,
          view.name(),
          proto.toByteArray(),
          now);
    }
    if (!purgeFeastMetadata) {
      bumpLastUpdated(connection, project, now);
    }
  }

  /**
   * Merges {@code window} into the feature view's {@code meta.materialization_intervals}
   * (coalescing overlapping and adjacent intervals) and sets its state to AVAILABLE_ONLINE.
   *
   * @throws FeatureViewNotFoundException when the view does not exist
   */
  void recordInterval(
      Connection connection, String project, String featureView, TimeInterval window)
      throws SQLException {
    // Pessimistic locking, not compare-and-set: with dozens of runs finishing at once on one view,
    // CAS would make most of them lose, re-read and retry (quadratic work); a row lock queues them
    // and each transaction is a few milliseconds. On SQLite the whole database is the lock
    // (BEGIN IMMEDIATE), taken before the read so the read-modify-write cannot interleave.
    FeatureView stored =
        reader
            .lockFeatureView(connection, project, featureView)
            .orElseThrow(() -> reader.notFound(connection, project, featureView));
    Instant now = Instant.now();
    FeatureView updated = FeastProtos.withInterval(stored, window, now);
    // Feast's materialized_intervals column stays as it is: Feast reads only the proto's meta.
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE feature_views SET feature_view_proto = ?, last_updated_timestamp = ?"
                + " WHERE feature_view_name = ? AND project_id = ?")) {
      update.setBytes(1, updated.toByteArray());
      update.setLong(2, now.getEpochSecond());
      update.setString(3, featureView);
      update.setString(4, project);
      update.executeUpdate();
    }
    if (!purgeFeastMetadata) {
      bumpLastUpdated(connection, project, now);
    }
  }

  private static void upsertObject(
      Connection connection,
      String table,
      String keyColumn,
      String protoColumn,
      String project,
      String name,
      byte[] proto,
      Instant now)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE "
                + table
                + " SET "
                + protoColumn
                + " = ?, last_updated_timestamp = ? WHERE "
                + keyColumn
                + " = ? AND project_id = ?")) {
      update.setBytes(1, proto);
      update.setLong(2, now.getEpochSecond());
      update.setString(3, name);
      update.setString(4, project);
      if (update.executeUpdate() > 0) {
        return;
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " ("
                + keyColumn
                + ", project_id, last_updated_timestamp, "
                + protoColumn
                + ") VALUES (?, ?, ?, ?)")) {
      insert.setString(1, name);
      insert.setString(2, project);
      insert.setLong(3, now.getEpochSecond());
      insert.setBytes(4, proto);
      insert.executeUpdate();
    }
  }

  /** Feast's per-project metadata and project row, created once like Feast does. */
  private void initProject(Connection connection, String project, Instant now) throws SQLException {
    if (!purgeFeastMetadata && metadata(connection, project, PROJECT_UUID_KEY).isEmpty()) {
      insertMetadata(connection, project, PROJECT_UUID_KEY, UUID.randomUUID().toString(), now);
      if (metadata(connection, project, DECISION_STRATEGY_KEY).isEmpty()) {
        insertMetadata(connection, project, DECISION_STRATEGY_KEY, "unanimous", now);
      }
    }
    boolean exists;
    try (PreparedStatement select =
        connection.prepareStatement("SELECT project_id FROM projects WHERE project_id = ?")) {
      select.setString(1, project);
      try (ResultSet rows = select.executeQuery()) {
        exists = rows.next();
      }
    }
    if (!exists) {
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO projects (project_id, project_name, last_updated_timestamp,"
                  + " project_proto) VALUES (?, ?, ?, ?)")) {
        insert.setString(1, project);
        insert.setString(2, project);
        insert.setLong(3, now.getEpochSecond());
        insert.setBytes(4, FeastProtos.project(project, now, now));
        insert.executeUpdate();
      }
    } else {
      try (PreparedStatement update =
          connection.prepareStatement(
              "UPDATE projects SET last_updated_timestamp = ? WHERE project_id = ?")) {
        update.setLong(1, now.getEpochSecond());
        update.setString(2, project);
        update.executeUpdate();
      }
    }
  }

  private static Optional<String> metadata(Connection connection, String project, String key)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT metadata_value FROM feast_metadata WHERE project_id = ? AND metadata_key = ?")) {
      select.setString(1, project);
      select.setString(2, key);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    }
  }

  private static void insertMetadata(
      Connection connection, String project, String key, String value, Instant now)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO feast_metadata (project_id, metadata_key, metadata_value,"
                + " last_updated_timestamp) VALUES (?, ?, ?, ?)")) {
      insert.setString(1, project);
      insert.setString(2, key);
      insert.setString(3, value);
      insert.setLong(4, now.getEpochSecond());
      insert.executeUpdate();
    }
  }

  /** Feast readers refresh their caches when this value changes (epoch seconds, as text). */
  private static void bumpLastUpdated(Connection connection, String project, Instant now)
      throws SQLException {
    String seconds = Long.toString(now.getEpochSecond());
    // UPDATE first: an existing row is the common case, and a plain UPDATE takes only the row
    // lock (an upsert on InnoDB also takes gap locks, which deadlock under concurrency).
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE feast_metadata SET metadata_value = ?, last_updated_timestamp = ?"
                + " WHERE project_id = ? AND metadata_key = ?")) {
      update.setString(1, seconds);
      update.setLong(2, now.getEpochSecond());
      update.setString(3, project);
      update.setString(4, LAST_UPDATED_KEY);
      if (update.executeUpdate() > 0) {
        return;
      }
    }
    // A concurrent first insert makes this fail on the key; the transaction is then retried.
    insertMetadata(connection, project, LAST_UPDATED_KEY, seconds, now);
  }
}
