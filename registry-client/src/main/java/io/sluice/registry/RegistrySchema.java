package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The registry's tables: Feast's (same names, columns and keys as Feast's own, so a registry either
 * side created works for both) and Sluice's run history table, which Feast ignores.
 *
 * <p><b>Migrations are additive and detected.</b> Feast's tables are created when missing and never
 * altered. Sluice's tables are declared column by column ({@link SluiceTable}); on a registry an
 * older Sluice created, {@link #ensure} creates a declared table that is missing and adds a
 * declared column that is missing ({@code ALTER TABLE … ADD COLUMN}). Nothing is renamed, retyped
 * or dropped: a column a newer version no longer declares stays, so its writes must leave it to its
 * default. Whether a migration is due is read from the database itself (the table's columns), so
 * there is no version to record, each migration runs once per registry, and several processes may
 * run {@link #ensure} at once: the loser of a race fails on the table or column that now exists,
 * which is checked and ignored. A column added to an existing table must be nullable or have a
 * default, so the rows already there can take it.
 */
final class RegistrySchema {
  static final String RUNS_TABLE = "sluice_materialization_runs";

  /** A column of one of Sluice's tables: its name and its type with NULL and DEFAULT clauses. */
  record TableColumn(String name, String definition) {
    TableColumn {
      requireNonNull(name, "name is null");
      requireNonNull(definition, "definition is null");
    }

    /** Whether rows that already exist can take the column: it is nullable or has a default. */
    boolean addable() {
      return !definition.contains("NOT NULL") || definition.contains("DEFAULT");
    }
  }

  /** One of Sluice's tables: its columns in creation order and its primary key. */
  record SluiceTable(String name, List<TableColumn> columns, String primaryKey) {
    SluiceTable {
      requireNonNull(name, "name is null");
      columns = List.copyOf(requireNonNull(columns, "columns is null"));
      requireNonNull(primaryKey, "primaryKey is null");
    }

    /** The same table with {@code more} columns after its own. */
    SluiceTable withColumns(TableColumn... more) {
      List<TableColumn> all = new ArrayList<>(columns);
      all.addAll(List.of(more));
      return new SluiceTable(name, all, primaryKey);
    }

    String createStatement() {
      StringBuilder sql =
          new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(name).append(" (");
      for (TableColumn column : columns) {
        sql.append(column.name()).append(' ').append(column.definition()).append(", ");
      }
      return sql.append("PRIMARY KEY (").append(primaryKey).append("))").toString();
    }
  }

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

  /** A table of Feast's and the statement that creates it. */
  private record FeastTable(String name, String createStatement) {}

  private RegistrySchema() {}

  /** Sluice's tables as this version declares them. */
  static List<SluiceTable> sluiceTables(RegistryDialect dialect) {
    String longText = dialect == RegistryDialect.MYSQL ? "MEDIUMTEXT" : "TEXT";
    // Timestamps are fixed-width ISO-8601 UTC text: readable with plain SQL and sortable.
    // rows_failed is no longer counted, and this version never writes it; it stays declared
    // because Sluice 0.1 binaries write it, and backfills may run both against one registry.
    SluiceTable runs =
        new SluiceTable(
            RUNS_TABLE,
            List.of(
                new TableColumn("run_id", "VARCHAR(36) NOT NULL"),
                new TableColumn("project_id", "VARCHAR(255) NOT NULL"),
                new TableColumn("feature_view_name", "VARCHAR(255) NOT NULL"),
                new TableColumn("window_start", "VARCHAR(32) NOT NULL"),
                new TableColumn("window_end", "VARCHAR(32) NOT NULL"),
                new TableColumn("status", "VARCHAR(16) NOT NULL"),
                new TableColumn("started_at", "VARCHAR(32) NOT NULL"),
                new TableColumn("finished_at", "VARCHAR(32) NULL"),
                new TableColumn("host", "VARCHAR(255) NULL"),
                new TableColumn("spark_application_id", "VARCHAR(255) NULL"),
                new TableColumn("rows_read", "BIGINT NOT NULL DEFAULT 0"),
                new TableColumn("rows_dropped", "BIGINT NOT NULL DEFAULT 0"),
                new TableColumn("entities", "BIGINT NOT NULL DEFAULT 0"),
                new TableColumn("rows_written", "BIGINT NOT NULL DEFAULT 0"),
                new TableColumn("rows_skipped_not_newer", "BIGINT NOT NULL DEFAULT 0"),
                new TableColumn("rows_failed", "BIGINT NOT NULL DEFAULT 0"),
                new TableColumn("partitions", "INTEGER NOT NULL DEFAULT 0"),
                new TableColumn("stage_seconds", longText + " NULL"),
                new TableColumn("error", longText + " NULL"),
                // Added by staging: the run's phase (STAGED once its stage is complete) and the
                // stage it wrote or resumed from.
                new TableColumn("phase", "VARCHAR(16) NULL"),
                new TableColumn("stage", longText + " NULL")),
            "run_id");
    return List.of(runs);
  }

  /**
   * Creates the missing tables and adds the missing columns of Sluice's tables, as this version
   * declares them.
   *
   * @return what was changed, for the log; empty when the schema was complete
   */
  static List<String> ensure(Connection connection, RegistryDialect dialect) throws SQLException {
    return ensure(connection, dialect, RegistryConfig.SchemaMode.AUTO, sluiceTables(dialect));
  }

  /**
   * As {@link #ensure(Connection, RegistryDialect)}, with Feast's {@code schema_mode} for Feast's
   * tables: {@code auto} creates the missing ones, {@code verify} fails naming them, {@code skip}
   * neither creates nor checks. Sluice's own tables are created whatever the mode: they are not
   * Feast's, and runs cannot be recorded without them.
   */
  static List<String> ensure(
      Connection connection, RegistryDialect dialect, RegistryConfig.SchemaMode mode)
      throws SQLException {
    return ensure(connection, dialect, mode, sluiceTables(dialect));
  }

  /** {@link #ensure(Connection, RegistryDialect)} with Sluice's tables declared as {@code own}. */
  static List<String> ensure(Connection connection, RegistryDialect dialect, List<SluiceTable> own)
      throws SQLException {
    return ensure(connection, dialect, RegistryConfig.SchemaMode.AUTO, own);
  }

  private static List<String> ensure(
      Connection connection,
      RegistryDialect dialect,
      RegistryConfig.SchemaMode mode,
      List<SluiceTable> own)
      throws SQLException {
    List<String> changes = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (FeastTable table : feastTables(dialect)) {
      switch (mode) {
        case AUTO -> create(connection, table.name(), table.createStatement(), changes);
        case VERIFY -> {
          if (!exists(connection, table.name())) {
            missing.add(table.name());
          }
        }
        case SKIP -> {}
      }
    }
    if (!missing.isEmpty()) {
      throw new RegistryConfigurationException(
          "The registry lacks Feast's tables "
              + missing
              + ", and registry.schema_mode: verify creates none; create them with `feast"
              + " registry create-schema`, or set schema_mode: auto");
    }
    for (SluiceTable table : own) {
      create(connection, table.name(), table.createStatement(), changes);
      addMissingColumns(connection, table, changes);
    }
    return changes;
  }

  static boolean exists(Connection connection, String table) throws SQLException {
    DatabaseMetaData metadata = connection.getMetaData();
    try (ResultSet tables =
        metadata.getTables(connection.getCatalog(), null, table, new String[] {"TABLE"})) {
      return tables.next();
    }
  }

  /** The names of the table's columns, lower case, as the registry's statements see the table. */
  static Set<String> columns(Connection connection, String table) throws SQLException {
    Set<String> names = new HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet empty = statement.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData metadata = empty.getMetaData();
      for (int i = 1; i <= metadata.getColumnCount(); i++) {
        names.add(metadata.getColumnName(i).toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  /**
   * Runs a CREATE TABLE when the table is missing. Concurrent callers may race on it (PostgreSQL
   * can fail one of them on its catalog's unique index); a failure is ignored when the table exists
   * afterwards.
   */
  private static void create(
      Connection connection, String table, String createStatement, List<String> changes)
      throws SQLException {
    if (exists(connection, table)) {
      return;
    }
    try (Statement create = connection.createStatement()) {
      create.execute(createStatement);
      changes.add("created table " + table);
    } catch (SQLException e) {
      if (!exists(connection, table)) {
        throw e;
      }
    }
  }

  /**
   * Adds the declared columns the table lacks. A concurrent caller that added one first makes this
   * ALTER fail (duplicate column); the failure is ignored when the column exists afterwards.
   */
  private static void addMissingColumns(
      Connection connection, SluiceTable table, List<String> changes) throws SQLException {
    Set<String> present = columns(connection, table.name());
    for (TableColumn column : table.columns()) {
      if (present.contains(column.name())) {
        continue;
      }
      if (!column.addable()) {
        throw new IllegalStateException(
            "Cannot add column "
                + column.name()
                + " to "
                + table.name()
                + ": the rows already there need it nullable or with a default, not "
                + column.definition());
      }
      try (Statement alter = connection.createStatement()) {
        alter.execute(
            "ALTER TABLE "
                + table.name()
                + " ADD COLUMN "
                + column.name()
                + " "
                + column.definition());
        changes.add("added column " + column.name() + " to " + table.name());
      } catch (SQLException e) {
        if (!columns(connection, table.name()).contains(column.name())) {
          throw e;
        }
      }
    }
  }

  private static List<FeastTable> feastTables(RegistryDialect dialect) {
    String blob =
        switch (dialect) {
          case SQLITE -> "BLOB";
          case POSTGRESQL -> "BYTEA";
          case MYSQL -> "LONGBLOB";
        };
    List<FeastTable> tables = new ArrayList<>();
    tables.add(
        new FeastTable(
            "projects",
            "CREATE TABLE IF NOT EXISTS projects ("
                + "project_id VARCHAR(255) NOT NULL, "
                + "project_name VARCHAR(255) NOT NULL, "
                + "last_updated_timestamp BIGINT NOT NULL, "
                + "project_proto "
                + blob
                + " NOT NULL, "
                + "PRIMARY KEY (project_id))"));
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
      tables.add(new FeastTable(table.name(), sql.toString()));
    }
    tables.add(
        new FeastTable(
            "feast_metadata",
            "CREATE TABLE IF NOT EXISTS feast_metadata ("
                + "project_id VARCHAR(255) NOT NULL, "
                + "metadata_key VARCHAR(50) NOT NULL, "
                + "metadata_value VARCHAR(50) NOT NULL, "
                + "last_updated_timestamp BIGINT NOT NULL, "
                + "PRIMARY KEY (project_id, metadata_key))"));
    return tables;
  }
}
