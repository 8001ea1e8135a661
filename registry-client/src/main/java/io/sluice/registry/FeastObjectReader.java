package io.sluice.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import feast.proto.core.DataSourceProto.DataSource;
import feast.proto.core.EntityProto.Entity;
import feast.proto.core.FeatureViewProto.FeatureView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Feast's objects from the registry tables: feature views, entities and data sources, as
 * Sluice's definitions or as the stored protos. A missing table is a configuration error that says
 * to run apply; a proto that does not parse is one that names the object.
 *
 * <p>The {@code lock…} reads take the row lock ({@code SELECT … FOR UPDATE}) on PostgreSQL and
 * MySQL, for a read-modify-write inside a transaction; on SQLite the transaction's {@code BEGIN
 * IMMEDIATE} already holds the whole file. Stateless apart from the configuration.
 */
final class FeastObjectReader {
  private final RegistryConfig config;

  FeastObjectReader(RegistryConfig config) {
    this.config = config;
  }

  RegistryConfig config() {
    return config;
  }

  /** The names of the project's feature views, sorted. */
  List<String> featureViewNames(Connection connection, String project) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT feature_view_name FROM feature_views WHERE project_id = ?"
                + " ORDER BY feature_view_name")) {
      select.setString(1, project);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          names.add(rows.getString(1));
        }
      }
    } catch (SQLException e) {
      requireTable(connection, "feature_views", e);
      throw e;
    }
    return names;
  }

  /**
   * The feature view {@code name}; a view stored without entity columns (older Feast) takes its
   * join keys from the project's entities.
   *
   * @throws FeatureViewNotFoundException when it does not exist
   */
  FeatureViewDefinition featureView(Connection connection, String project, String name)
      throws SQLException {
    FeatureView proto =
        read(connection, project, name, "").orElseThrow(() -> notFound(connection, project, name));
    Map<String, EntityDefinition> entities = new LinkedHashMap<>();
    if (proto.getSpec().getEntityColumnsCount() == 0) {
      for (EntityDefinition entity : entities(connection, project)) {
        entities.put(entity.name(), entity);
      }
    }
    return FeastProtos.featureView(project, proto, entities);
  }

  /**
   * The project's feature views, sorted by name; views stored without entity columns take their
   * join keys from the project's entities, as in {@link #featureView}.
   */
  List<FeatureViewDefinition> featureViews(Connection connection, String project)
      throws SQLException {
    List<FeatureView> protos = new ArrayList<>();
    for (byte[] bytes :
        protos(connection, "feature_views", "feature_view_name", "feature_view_proto", project)) {
      protos.add(parse(() -> FeatureView.parseFrom(bytes), "feature view"));
    }
    Map<String, EntityDefinition> entities = new LinkedHashMap<>();
    if (protos.stream().anyMatch(proto -> proto.getSpec().getEntityColumnsCount() == 0)) {
      for (EntityDefinition entity : entities(connection, project)) {
        entities.put(entity.name(), entity);
      }
    }
    List<FeatureViewDefinition> views = new ArrayList<>();
    for (FeatureView proto : protos) {
      views.add(FeastProtos.featureView(project, proto, entities));
    }
    return views;
  }

  /** The stored feature view, its row locked until the transaction ends. */
  Optional<FeatureView> lockFeatureView(Connection connection, String project, String name)
      throws SQLException {
    return read(connection, project, name, lockClause());
  }

  /** The project's entities, sorted by name. */
  List<EntityDefinition> entities(Connection connection, String project) throws SQLException {
    List<EntityDefinition> entities = new ArrayList<>();
    for (byte[] bytes : protos(connection, "entities", "entity_name", "entity_proto", project)) {
      entities.add(FeastProtos.entity(parse(() -> Entity.parseFrom(bytes), "entity")));
    }
    return entities;
  }

  /** The project's data sources that Sluice can read (file and Spark sources), sorted by name. */
  List<DataSourceDefinition> dataSources(Connection connection, String project)
      throws SQLException {
    List<DataSourceDefinition> sources = new ArrayList<>();
    for (byte[] bytes :
        protos(connection, "data_sources", "data_source_name", "data_source_proto", project)) {
      DataSource source = parse(() -> DataSource.parseFrom(bytes), "data source");
      if (source.hasFileOptions() || source.hasSparkOptions()) {
        sources.add(FeastProtos.dataSource(source.getName(), source));
      }
    }
    return sources;
  }

  /** The stored entity, its row locked until the transaction ends. */
  Optional<Entity> lockEntity(Connection connection, String project, String name)
      throws SQLException {
    return lockProto(connection, "entities", "entity_name", "entity_proto", project, name)
        .map(bytes -> parse(() -> Entity.parseFrom(bytes), "entity"));
  }

  /** The stored data source, its row locked until the transaction ends. */
  Optional<DataSource> lockDataSource(Connection connection, String project, String name)
      throws SQLException {
    return lockProto(
            connection, "data_sources", "data_source_name", "data_source_proto", project, name)
        .map(bytes -> parse(() -> DataSource.parseFrom(bytes), "data source"));
  }

  /** The view is not in the project: the error lists those that are, as far as they can be read. */
  FeatureViewNotFoundException notFound(Connection connection, String project, String name) {
    List<String> existing;
    try {
      existing = featureViewNames(connection, project);
    } catch (SQLException e) {
      existing = List.of();
    }
    return new FeatureViewNotFoundException(project, name, existing);
  }

  private Optional<FeatureView> read(
      Connection connection, String project, String name, String lock) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT feature_view_proto FROM feature_views"
                + " WHERE feature_view_name = ? AND project_id = ?"
                + lock)) {
      select.setString(1, name);
      select.setString(2, project);
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        byte[] bytes = rows.getBytes(1);
        return Optional.of(parse(() -> FeatureView.parseFrom(bytes), "feature view " + name));
      }
    } catch (SQLException e) {
      requireTable(connection, "feature_views", e);
      throw e;
    }
  }

  private Optional<byte[]> lockProto(
      Connection connection,
      String table,
      String keyColumn,
      String protoColumn,
      String project,
      String name)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT "
                + protoColumn
                + " FROM "
                + table
                + " WHERE "
                + keyColumn
                + " = ? AND project_id = ?"
                + lockClause())) {
      select.setString(1, name);
      select.setString(2, project);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.of(rows.getBytes(1)) : Optional.empty();
      }
    }
  }

  private List<byte[]> protos(
      Connection connection, String table, String keyColumn, String protoColumn, String project)
      throws SQLException {
    List<byte[]> protos = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT "
                + protoColumn
                + " FROM "
                + table
                + " WHERE project_id = ? ORDER BY "
                + keyColumn)) {
      select.setString(1, project);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          protos.add(rows.getBytes(1));
        }
      }
    } catch (SQLException e) {
      requireTable(connection, table, e);
      throw e;
    }
    return protos;
  }

  private String lockClause() {
    return config.dialect() == RegistryDialect.SQLITE ? "" : " FOR UPDATE";
  }

  /** Turns "no such table" into a configuration error that says to run apply. */
  private void requireTable(Connection connection, String table, SQLException cause) {
    boolean exists;
    try {
      exists = RegistrySchema.exists(connection, table);
    } catch (SQLException e) {
      return;
    }
    if (!exists) {
      throw new RegistryConfigurationException(
          "Cannot read the registry at "
              + config.describe()
              + ": it has no "
              + table
              + " table; create it with `sluice apply` (or `feast apply`) first",
          cause);
    }
  }

  private interface ProtoParser<T> {
    T parse() throws InvalidProtocolBufferException;
  }

  private <T> T parse(ProtoParser<T> parser, String what) {
    try {
      return parser.parse();
    } catch (InvalidProtocolBufferException e) {
      throw new RegistryConfigurationException(
          "Cannot read "
              + what
              + " from the registry at "
              + config.describe()
              + ": the stored proto is corrupt ("
              + e.getMessage()
              + ")",
          e);
    }
  }
}
