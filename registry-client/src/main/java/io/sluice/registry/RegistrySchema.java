package io.sluice.registry;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The DDL of Feast's SQL registry tables (same names, columns and keys as Feast's own, so a
 * registry either side created works for both) plus Sluice's run history table. Feast ignores
 * tables it does not know.
 */
final class RegistrySchema {
  static final String RUNS_TABLE = "sluice_materialization_runs";

  /** Feast's object tables: name, key column, proto column, and whether it has the FV extras. */
  private record ObjectTable(String name, String keyColumn, String protoColumn, boolean view) {}

  private static final List<ObjectTable> OBJECT_TABLES =
      List.of(
          new ObjectTable("entities", "entity_name", "entity_proto", false),
          new ObjectTable("data_sources", "data_source_name", "data_source_proto", false),
          new ObjectTable("feature_views", "feature_view_name", "feature_view_proto", true),
          new ObjectTable("stream_feature_views", "feature_view_name", "feature_view_proto", true),
          new ObjectTable(
              "on_demand_feature_views", "feature_view_name", "feature_view_proto", true),
          new ObjectTable(
              "feature_services", "feature_service_name", "feature_service_proto", false),
          new ObjectTable("saved_datasets", "saved_dataset_name", "saved_dataset_proto", false),
          new ObjectTable(
              "validation_references",
              "validation_reference_name",
              "validation_reference_proto",
              false),
          new ObjectTable("managed_infra", "infra_name", "infra_proto", false),
          new ObjectTable("permissions", "permission_name", "permission_proto", false));

  private RegistrySchema() {}

  /** Every CREATE TABLE statement, each guarded by IF NOT EXISTS, in creation order. */
  static List<String> createStatements(RegistryDialect dialect) {
    String blob =
        switch (dialect) {
          case SQLITE -> "BLOB";
          case POSTGRESQL -> "BYTEA";
          case MYSQL -> "LONGBLOB";
        };
    String longText = dialect == RegistryDialect.MYSQL ? "MEDIUMTEXT" : "TEXT";
    List<String> statements = new ArrayList<>();
    statements.add(
        "CREATE TABLE IF NOT EXISTS projects ("
            + "project_id VARCHAR(255) NOT NULL, "
            + "project_name VARCHAR(255) NOT NULL, "
            + "last_updated_timestamp BIGINT NOT NULL, "
            + "project_proto "
            + blob
            + " NOT NULL, "
            + "PRIMARY KEY (project_id))");
    for (ObjectTable table : OBJECT_TABLES) {
      StringBuilder sql =
          new StringBuilder("CREATE TABLE IF NOT EXISTS ")
              .append(table.name())
              .append(" (")
              .append(table.keyColumn())
              .append(" VARCHAR(255) NOT NULL, project_id VARCHAR(255) NOT NULL, ")
              .append("last_updated_timestamp BIGINT NOT NULL, ");
      if (table.name().equals("feature_views")) {
        sql.append("materialized_intervals ").append(blob).append(" NULL, ");
      }
      sql.append(table.protoColumn()).append(' ').append(blob).append(" NOT NULL, ");
      if (table.view()) {
        sql.append("user_metadata ").append(blob).append(" NULL, ");
      }
      sql.append("PRIMARY KEY (").append(table.keyColumn()).append(", project_id))");
      statements.add(sql.toString());
    }
    statements.add(
        "CREATE TABLE IF NOT EXISTS feast_metadata ("
            + "project_id VARCHAR(255) NOT NULL, "
            + "metadata_key VARCHAR(50) NOT NULL, "
            + "metadata_value VARCHAR(50) NOT NULL, "
            + "last_updated_timestamp BIGINT NOT NULL, "
            + "PRIMARY KEY (project_id, metadata_key))");
    // Timestamps are fixed-width ISO-8601 UTC text: readable with plain SQL and sortable.
    statements.add(
        "CREATE TABLE IF NOT EXISTS "
            + RUNS_TABLE
            + " ("
            + "run_id VARCHAR(36) NOT NULL, "
            + "project_id VARCHAR(255) NOT NULL, "
            + "feature_view_name VARCHAR(255) NOT NULL, "
            + "window_start VARCHAR(32) NOT NULL, "
            + "window_end VARCHAR(32) NOT NULL, "
            + "status VARCHAR(16) NOT NULL, "
            + "started_at VARCHAR(32) NOT NULL, "
            + "finished_at VARCHAR(32) NULL, "
            + "host VARCHAR(255) NULL, "
            + "spark_application_id VARCHAR(255) NULL, "
            + "rows_read BIGINT NOT NULL DEFAULT 0, "
            + "rows_dropped BIGINT NOT NULL DEFAULT 0, "
            + "entities BIGINT NOT NULL DEFAULT 0, "
            + "rows_written BIGINT NOT NULL DEFAULT 0, "
            + "rows_skipped_not_newer BIGINT NOT NULL DEFAULT 0, "
            + "partitions INTEGER NOT NULL DEFAULT 0, "
            + "stage_seconds "
            + longText
            + " NULL, "
            + "error "
            + longText
            + " NULL, "
            + "PRIMARY KEY (run_id))");
    return statements;
  }

  /**
   * Creates the missing tables. Concurrent callers may race on CREATE TABLE (PostgreSQL can fail
   * one of them on its catalog's unique index); a failure is ignored when the table exists
   * afterwards.
   */
  static void ensure(Connection connection, RegistryDialect dialect) throws SQLException {
    for (String statement : createStatements(dialect)) {
      String table = statement.split(" ")[5];
      if (exists(connection, table)) {
        continue;
      }
      try (Statement create = connection.createStatement()) {
        create.execute(statement);
      } catch (SQLException e) {
        if (!exists(connection, table)) {
          throw e;
        }
      }
    }
  }

  static boolean exists(Connection connection, String table) throws SQLException {
    DatabaseMetaData metadata = connection.getMetaData();
    try (ResultSet tables =
        metadata.getTables(connection.getCatalog(), null, table, new String[] {"TABLE"})) {
      return tables.next();
    }
  }
}
