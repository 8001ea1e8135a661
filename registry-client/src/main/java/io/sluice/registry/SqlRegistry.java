package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import feast.proto.core.DataSourceProto.DataSource;
import feast.proto.core.EntityProto.Entity;
import feast.proto.core.FeatureViewProto.FeatureView;
import io.sluice.common.json.Json;
import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * A Feast SQL registry over JDBC (SQLite, PostgreSQL, MySQL/MariaDB): reads feature views, applies
 * definitions, records materialized intervals and keeps Sluice's run history.
 *
 * <p><b>Threads.</b> One instance holds one connection; every public method is {@code
 * synchronized}, so an instance may be shared by threads, which then take turns. Concurrency
 * between runs comes from separate processes, each with its own instance; the database's locks keep
 * them correct. Must not be shipped to Spark executors.
 *
 * <p><b>Errors.</b> Every method throws only {@link RegistryException} subclasses: {@link
 * RegistryConfigurationException} (bad URL, wrong password, unknown view, bad window, malformed
 * definitions), {@link RegistryUnavailableException} (unreachable, or locked past the retry budget;
 * nothing committed) and {@link RegistryOutcomeUnknownException} (the commit's answer was lost).
 *
 * <p><b>Retries.</b> Write transactions that fail on a lock conflict, a deadlock, a serialization
 * failure or {@code SQLITE_BUSY} are rolled back and run again with capped exponential backoff and
 * jitter, for at most {@link #RETRY_BUDGET}. Connection failures are not retried here: they are the
 * caller's "retry later" ({@link RegistryUnavailableException}).
 */
public final class SqlRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SqlRegistry.class);

  /** Total time a write transaction may spend retrying conflicts. */
  public static final Duration RETRY_BUDGET = Duration.ofMinutes(2);

  /** How long SQLite waits for another process's write lock before reporting SQLITE_BUSY. */
  static final int SQLITE_BUSY_TIMEOUT_MILLIS = 30_000;

  static final int CONNECT_TIMEOUT_SECONDS = 10;
  private static final int MAX_ERROR_CHARS = 16_000;
  private static final String LAST_UPDATED_KEY = "last_updated_timestamp";
  private static final String PROJECT_UUID_KEY = "project_uuid";
  private static final String DECISION_STRATEGY_KEY = "permissions_decision_strategy";
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final RegistryConfig config;
  private final String host;
  private Connection connection;

  private SqlRegistry(RegistryConfig config, Connection connection) {
    this.config = config;
    this.connection = connection;
    this.host = localHost();
  }

  /** Connects to the registry. Does not create tables (see {@link #ensureSchema()}). */
  public static SqlRegistry open(RegistryConfig config) {
    requireNonNull(config, "config is null");
    return new SqlRegistry(config, connect(config));
  }

  public RegistryConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- schema

  /**
   * Creates Feast's registry tables and the run history table when missing. Idempotent, safe to run
   * concurrently, and leaves existing tables (including ones Feast created) unchanged.
   */
  public synchronized void ensureSchema() {
    run(
        "create the registry tables",
        connection -> {
          RegistrySchema.ensure(connection, config.dialect());
          return null;
        });
  }

  // ---------------------------------------------------------------- reads

  /** The names of the project's feature views, sorted. */
  public synchronized List<String> featureViewNames(String project) {
    requireNonNull(project, "project is null");
    return run("list feature views", connection -> featureViewNames(connection, project));
  }

  /**
   * The feature view {@code name} of {@code project}.
   *
   * @throws FeatureViewNotFoundException when it does not exist; lists those that do
   */
  public synchronized FeatureViewDefinition featureView(String project, String name) {
    requireNonNull(project, "project is null");
    requireNonNull(name, "name is null");
    return run(
        "read feature view '" + name + "'",
        connection -> {
          FeatureView proto =
              readFeatureView(connection, project, name, false)
                  .orElseThrow(
                      () ->
                          new FeatureViewNotFoundException(
                              project, name, uncheckedNames(connection, project)));
          Map<String, EntityDefinition> entities = new LinkedHashMap<>();
          if (proto.getSpec().getEntityColumnsCount() == 0) {
            for (EntityDefinition entity : entities(connection, project)) {
              entities.put(entity.name(), entity);
            }
          }
          return FeastProtos.featureView(project, proto, entities);
        });
  }

  /** The project's entities, sorted by name. */
  public synchronized List<EntityDefinition> entities(String project) {
    requireNonNull(project, "project is null");
    return run("list entities", connection -> entities(connection, project));
  }

  /** The project's data sources that Sluice can read, sorted by name. */
  public synchronized List<DataSourceDefinition> dataSources(String project) {
    requireNonNull(project, "project is null");
    return run(
        "list data sources",
        connection -> {
          List<DataSourceDefinition> sources = new ArrayList<>();
          for (byte[] bytes :
              protos(
                  connection, "data_sources", "data_source_name", "data_source_proto", project)) {
            DataSource source = parse(() -> DataSource.parseFrom(bytes), "data source");
            if (source.hasFileOptions() || source.hasSparkOptions()) {
              sources.add(FeastProtos.dataSource(source.getName(), source));
            }
          }
          return sources;
        });
  }

  /** The recorded intervals of a feature view, sorted and coalesced. */
  public synchronized List<TimeInterval> intervals(String project, String featureView) {
    return featureView(project, featureView).materializationIntervals();
  }

  /** The parts of {@code window} that recorded intervals cover. */
  public synchronized List<TimeInterval> coverage(
      String project, String featureView, TimeInterval window) {
    return TimeIntervals.coverage(intervals(project, featureView), window);
  }

  /** The parts of {@code window} that no recorded interval covers. */
  public synchronized List<TimeInterval> gaps(
      String project, String featureView, TimeInterval window) {
    return TimeIntervals.gaps(intervals(project, featureView), window);
  }

  // ---------------------------------------------------------------- apply

  /**
   * Writes the entities, data sources and feature views of a definitions file to {@code project},
   * creating the tables first when needed. The file is checked completely before anything is
   * written, and everything is written in one transaction. Re-applying keeps recorded intervals,
   * created timestamps and every proto field Sluice does not set. Objects not in the file are left
   * alone.
   *
   * @throws DefinitionsFileException when the file is malformed (line and field named)
   */
  public synchronized DefinitionsFile apply(String project, Path definitionsFile) {
    requireNonNull(project, "project is null");
    DefinitionsFile definitions = DefinitionsFile.parse(definitionsFile, project);
    ensureSchema();
    inTransaction(
        "apply " + definitionsFile,
        connection -> {
          Instant now = Instant.now();
          initProject(connection, project, now);
          List<EntityDefinition> entities = new ArrayList<>(definitions.entities());
          if (definitions.featureViews().stream().anyMatch(FeatureViewDefinition::isEntityless)) {
            entities.add(FeastProtos.dummyEntity());
          }
          for (EntityDefinition entity : entities) {
            Optional<Entity> existing =
                readProto(
                        connection,
                        "entities",
                        "entity_name",
                        "entity_proto",
                        project,
                        entity.name())
                    .map(bytes -> parse(() -> Entity.parseFrom(bytes), "entity"));
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
            Optional<DataSource> existing =
                readProto(
                        connection,
                        "data_sources",
                        "data_source_name",
                        "data_source_proto",
                        project,
                        source.name())
                    .map(bytes -> parse(() -> DataSource.parseFrom(bytes), "data source"));
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
            Optional<FeatureView> existing =
                readFeatureView(connection, project, view.name(), true);
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
          bumpLastUpdated(connection, project, now);
          return null;
        });
    LOG.info(
        "Applied {} entities, {} data sources and {} feature views to project {} in {}",
        definitions.entities().size(),
        definitions.dataSources().size(),
        definitions.featureViews().size(),
        project,
        config.describe());
    return definitions;
  }

  // ---------------------------------------------------------------- intervals and runs

  /**
   * Records {@code [start, end)} as materialized for a feature view, without a run row. See {@link
   * #completeRun} for the transaction.
   */
  public synchronized void recordInterval(
      String project, String featureView, Instant start, Instant end) {
    requireNonNull(project, "project is null");
    requireNonNull(featureView, "featureView is null");
    TimeInterval window = new TimeInterval(start, end);
    inTransaction(
        "record interval " + window + " of feature view '" + featureView + "'",
        connection -> {
          recordInterval(connection, project, featureView, window);
          return null;
        });
  }

  /**
   * Starts a run: inserts a {@link RunStatus#RUNNING} row and returns its id.
   *
   * @param sparkApplicationId the Spark application id, or {@code null}
   */
  public synchronized String startRun(
      String project, String featureView, TimeInterval window, String sparkApplicationId) {
    requireNonNull(project, "project is null");
    requireNonNull(featureView, "featureView is null");
    requireNonNull(window, "window is null");
    String runId = UUID.randomUUID().toString();
    inTransaction(
        "start a run of feature view '" + featureView + "'",
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO "
                      + RegistrySchema.RUNS_TABLE
                      + " (run_id, project_id, feature_view_name, window_start, window_end,"
                      + " status, started_at, host, spark_application_id)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, runId);
            insert.setString(2, project);
            insert.setString(3, featureView);
            insert.setString(4, RUN_TIME.format(window.start()));
            insert.setString(5, RUN_TIME.format(window.end()));
            insert.setString(6, RunStatus.RUNNING.name());
            insert.setString(7, RUN_TIME.format(Instant.now()));
            insert.setString(8, host);
            insert.setString(9, sparkApplicationId);
            insert.executeUpdate();
          }
          return null;
        });
    return runId;
  }

  /**
   * Records the run's window as materialized and marks the run {@link RunStatus#SUCCEEDED} with its
   * counts, in one transaction: a run is never marked succeeded without its interval, nor the
   * reverse.
   *
   * <p>The transaction locks the feature view's row ({@code SELECT … FOR UPDATE} on PostgreSQL and
   * MySQL, {@code BEGIN IMMEDIATE} on SQLite), merges the window into {@code
   * meta.materialization_intervals} (coalescing overlapping and adjacent intervals), sets {@code
   * meta.state} to AVAILABLE_ONLINE, updates {@code meta.last_updated_timestamp} and bumps the
   * project's {@code feast_metadata.last_updated_timestamp}. Completing an already succeeded run
   * again changes nothing, so the call may be repeated after a {@link
   * RegistryOutcomeUnknownException}.
   */
  public synchronized void completeRun(String runId, RunStats stats) {
    requireNonNull(runId, "runId is null");
    requireNonNull(stats, "stats is null");
    inTransaction(
        "complete run " + runId,
        connection -> {
          MaterializationRun run =
              readRun(connection, runId)
                  .orElseThrow(
                      () ->
                          new RegistryConfigurationException(
                              "Cannot complete run " + runId + ": no run with that id"));
          if (run.status() == RunStatus.FAILED) {
            throw new RegistryConfigurationException(
                "Cannot complete run " + runId + ": it is already marked FAILED");
          }
          recordInterval(connection, run.project(), run.featureView(), run.window());
          finishRun(connection, runId, RunStatus.SUCCEEDED, stats, null);
          return null;
        });
  }

  /** Marks a running run {@link RunStatus#FAILED} with its counts so far and the error text. */
  public synchronized void failRun(String runId, RunStats stats, String error) {
    requireNonNull(runId, "runId is null");
    requireNonNull(stats, "stats is null");
    requireNonNull(error, "error is null");
    inTransaction(
        "mark run " + runId + " failed",
        connection -> {
          MaterializationRun run =
              readRun(connection, runId)
                  .orElseThrow(
                      () ->
                          new RegistryConfigurationException(
                              "Cannot mark run " + runId + " failed: no run with that id"));
          if (run.status() != RunStatus.RUNNING) {
            throw new RegistryConfigurationException(
                "Cannot mark run " + runId + " failed: it is already " + run.status());
          }
          finishRun(connection, runId, RunStatus.FAILED, stats, truncate(error));
          return null;
        });
  }

  /** One run by id. */
  public synchronized Optional<MaterializationRun> run(String runId) {
    requireNonNull(runId, "runId is null");
    return run("read run " + runId, connection -> readRun(connection, runId));
  }

  /** The runs of a feature view, oldest first. */
  public synchronized List<MaterializationRun> runs(String project, String featureView) {
    requireNonNull(project, "project is null");
    requireNonNull(featureView, "featureView is null");
    return run(
        "list runs",
        connection -> {
          List<MaterializationRun> runs = new ArrayList<>();
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT * FROM "
                      + RegistrySchema.RUNS_TABLE
                      + " WHERE project_id = ? AND feature_view_name = ? ORDER BY started_at,"
                      + " run_id")) {
            select.setString(1, project);
            select.setString(2, featureView);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                runs.add(run(rows));
              }
            }
          }
          return runs;
        });
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.warn("Ignoring a failure to close the registry connection to {}", config.describe(), e);
    }
  }

  // ---------------------------------------------------------------- implementation

  private void recordInterval(
      Connection connection, String project, String featureView, TimeInterval window)
      throws SQLException {
    // Pessimistic locking, not compare-and-set: with dozens of runs finishing at once on one view,
    // CAS would make most of them lose, re-read and retry (quadratic work); a row lock queues them
    // and each transaction is a few milliseconds. On SQLite the whole database is the lock
    // (BEGIN IMMEDIATE), taken before the read so the read-modify-write cannot interleave.
    FeatureView stored =
        readFeatureView(connection, project, featureView, true)
            .orElseThrow(
                () ->
                    new FeatureViewNotFoundException(
                        project, featureView, uncheckedNames(connection, project)));
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
    bumpLastUpdated(connection, project, now);
  }

  private void finishRun(
      Connection connection, String runId, RunStatus status, RunStats stats, String error)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE "
                + RegistrySchema.RUNS_TABLE
                + " SET status = ?, finished_at = ?, rows_read = ?, rows_dropped = ?,"
                + " entities = ?, rows_written = ?, rows_skipped_not_newer = ?, partitions = ?,"
                + " stage_seconds = ?, error = ? WHERE run_id = ?")) {
      update.setString(1, status.name());
      update.setString(2, RUN_TIME.format(Instant.now()));
      update.setLong(3, stats.rowsRead());
      update.setLong(4, stats.rowsDropped());
      update.setLong(5, stats.entities());
      update.setLong(6, stats.rowsWritten());
      update.setLong(7, stats.rowsSkippedNotNewer());
      update.setInt(8, stats.partitions());
      update.setString(
          9, Json.MAPPER.writeValueAsString(new LinkedHashMap<>(stats.stageSeconds())));
      update.setString(10, error);
      update.setString(11, runId);
      update.executeUpdate();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot encode stage seconds " + stats.stageSeconds(), e);
    }
  }

  private Optional<MaterializationRun> readRun(Connection connection, String runId)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT * FROM " + RegistrySchema.RUNS_TABLE + " WHERE run_id = ?")) {
      select.setString(1, runId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.of(run(rows)) : Optional.empty();
      }
    }
  }

  private static MaterializationRun run(ResultSet row) throws SQLException {
    String stages = row.getString("stage_seconds");
    Map<String, Double> stageSeconds;
    try {
      stageSeconds =
          stages == null || stages.isEmpty()
              ? Map.of()
              : Json.MAPPER.readValue(
                  stages, new TypeReference<LinkedHashMap<String, Double>>() {});
    } catch (JsonProcessingException e) {
      stageSeconds = Map.of();
    }
    String finished = row.getString("finished_at");
    return new MaterializationRun(
        row.getString("run_id"),
        row.getString("project_id"),
        row.getString("feature_view_name"),
        new TimeInterval(
            Instant.parse(row.getString("window_start")),
            Instant.parse(row.getString("window_end"))),
        RunStatus.valueOf(row.getString("status")),
        Instant.parse(row.getString("started_at")),
        finished == null ? null : Instant.parse(finished),
        row.getString("host"),
        row.getString("spark_application_id"),
        new RunStats(
            row.getLong("rows_read"),
            row.getLong("rows_dropped"),
            row.getLong("entities"),
            row.getLong("rows_written"),
            row.getLong("rows_skipped_not_newer"),
            row.getInt("partitions"),
            stageSeconds),
        row.getString("error"));
  }

  private Optional<FeatureView> readFeatureView(
      Connection connection, String project, String name, boolean forUpdate) throws SQLException {
    String lock = forUpdate && config.dialect() != RegistryDialect.SQLITE ? " FOR UPDATE" : "";
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

  private Optional<byte[]> readProto(
      Connection connection,
      String table,
      String keyColumn,
      String protoColumn,
      String project,
      String name)
      throws SQLException {
    String lock = config.dialect() == RegistryDialect.SQLITE ? "" : " FOR UPDATE";
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT "
                + protoColumn
                + " FROM "
                + table
                + " WHERE "
                + keyColumn
                + " = ? AND project_id = ?"
                + lock)) {
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

  private List<EntityDefinition> entities(Connection connection, String project)
      throws SQLException {
    List<EntityDefinition> entities = new ArrayList<>();
    for (byte[] bytes : protos(connection, "entities", "entity_name", "entity_proto", project)) {
      entities.add(FeastProtos.entity(parse(() -> Entity.parseFrom(bytes), "entity")));
    }
    return entities;
  }

  private List<String> featureViewNames(Connection connection, String project) throws SQLException {
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

  private List<String> uncheckedNames(Connection connection, String project) {
    try {
      return featureViewNames(connection, project);
    } catch (SQLException e) {
      return List.of();
    }
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

  private void upsertObject(
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
    if (metadata(connection, project, PROJECT_UUID_KEY).isEmpty()) {
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

  private Optional<String> metadata(Connection connection, String project, String key)
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

  private void insertMetadata(
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
  private void bumpLastUpdated(Connection connection, String project, Instant now)
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

  // ---------------------------------------------------------------- transactions

  @FunctionalInterface
  private interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  /** Thrown inside an attempt to make Failsafe retry it. */
  private static final class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConflictException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Runs read-only or DDL work in autocommit mode, without retries. */
  private <T> T run(String action, Work<T> work) {
    Connection current = validConnection(action);
    try {
      return work.apply(current);
    } catch (SQLException e) {
      throw translate(action, e);
    }
  }

  /** Runs {@code work} in one write transaction, retrying lock conflicts within the budget. */
  private <T> T inTransaction(String action, Work<T> work) {
    List<Throwable> failures = new ArrayList<>();
    RetryPolicy<T> policy =
        RetryPolicy.<T>builder()
            .handle(ConflictException.class)
            .withBackoff(Duration.ofMillis(5), Duration.ofMillis(500))
            .withJitter(0.5)
            .withMaxRetries(-1)
            .withMaxDuration(RETRY_BUDGET)
            .onFailedAttempt(
                event -> {
                  if (failures.size() < 10 && event.getLastException() != null) {
                    failures.add(event.getLastException());
                  }
                })
            .onRetry(
                event ->
                    LOG.debug(
                        "Retrying '{}' after a conflict (attempt {})",
                        action,
                        event.getAttemptCount()))
            .build();
    try {
      return Failsafe.with(policy).get(() -> attempt(action, work));
    } catch (ConflictException e) {
      RegistryUnavailableException failure =
          new RegistryUnavailableException(
              "Cannot "
                  + action
                  + " in the registry at "
                  + config.describe()
                  + ": the database stayed locked by other writers for "
                  + RETRY_BUDGET.toSeconds()
                  + " s of retries; run it again later",
              e.getCause());
      failures.stream().filter(f -> f != e).forEach(failure::addSuppressed);
      throw failure;
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new RegistryUnavailableException(
          "Cannot " + action + ": interrupted while waiting to retry", e.getCause());
    }
  }

  private <T> T attempt(String action, Work<T> work) {
    Connection current = validConnection(action);
    boolean sqlite = config.dialect() == RegistryDialect.SQLITE;
    try {
      begin(current, sqlite);
    } catch (SQLException e) {
      throw conflictOr(action, e);
    }
    T result;
    try {
      result = work.apply(current);
    } catch (SQLException e) {
      rollback(current, sqlite);
      throw conflictOr(action, e);
    } catch (RuntimeException e) {
      rollback(current, sqlite);
      throw e;
    }
    try {
      if (sqlite) {
        try (Statement statement = current.createStatement()) {
          statement.execute("COMMIT");
        }
      } else {
        current.commit();
        current.setAutoCommit(true);
      }
      return result;
    } catch (SQLException e) {
      SqlErrors.Kind kind = SqlErrors.classify(e, config.dialect());
      if (kind == SqlErrors.Kind.CONNECTION || connectionLost(current)) {
        throw new RegistryOutcomeUnknownException(
            "Cannot tell whether '"
                + action
                + "' was committed in the registry at "
                + config.describe()
                + ": the connection failed during COMMIT ("
                + e.getMessage()
                + "). Do not undo the work; check the registry, or run the same window again"
                + " (recording an interval twice is harmless)",
            e);
      }
      rollback(current, sqlite);
      throw conflictOr(action, e);
    }
  }

  private static void begin(Connection connection, boolean sqlite) throws SQLException {
    if (sqlite) {
      // sqlite-jdbc's own transactions re-open a transaction right after each commit; explicit
      // statements keep the write lock exactly as long as the transaction.
      try (Statement statement = connection.createStatement()) {
        statement.execute("BEGIN IMMEDIATE");
      }
    } else {
      connection.setAutoCommit(false);
    }
  }

  private void rollback(Connection connection, boolean sqlite) {
    try {
      if (sqlite) {
        // SQLite may already have rolled back (e.g. after SQLITE_BUSY); ROLLBACK then fails
        // harmlessly with "no transaction is active".
        try (Statement statement = connection.createStatement()) {
          statement.execute("ROLLBACK");
        }
      } else {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      LOG.debug("Ignoring a failed rollback on {}", config.describe(), e);
    }
  }

  private static boolean connectionLost(Connection connection) {
    try {
      return connection.isClosed() || !connection.isValid(5);
    } catch (SQLException e) {
      return true;
    }
  }

  private RuntimeException conflictOr(String action, SQLException e) {
    if (SqlErrors.classify(e, config.dialect()) == SqlErrors.Kind.CONFLICT) {
      return new ConflictException(e);
    }
    return translate(action, e);
  }

  private RegistryException translate(String action, SQLException e) {
    return switch (SqlErrors.classify(e, config.dialect())) {
      case CONNECTION, CONFLICT ->
          new RegistryUnavailableException(
              "Cannot "
                  + action
                  + ": the registry at "
                  + config.describe()
                  + " failed: "
                  + e.getMessage(),
              e);
      case ACCESS ->
          new RegistryConfigurationException(
              "Cannot "
                  + action
                  + ": the registry at "
                  + config.describe()
                  + " refused access: "
                  + e.getMessage(),
              e);
      case OTHER ->
          new RegistryConfigurationException(
              "Cannot "
                  + action
                  + " in the registry at "
                  + config.describe()
                  + ": "
                  + e.getMessage(),
              e);
    };
  }

  /** The connection, reopened when the server dropped it while the run was busy elsewhere. */
  private Connection validConnection(String action) {
    if (!connectionLost(connection)) {
      return connection;
    }
    LOG.info("Reconnecting to the registry at {}", config.describe());
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("Ignoring a failure to close a broken registry connection", e);
    }
    connection = connect(config);
    return connection;
  }

  private static Connection connect(RegistryConfig config) {
    Properties properties = new Properties();
    Driver driver;
    switch (config.dialect()) {
      case SQLITE -> {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MILLIS);
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        properties = sqlite.toProperties();
        driver = new org.sqlite.JDBC();
      }
      case POSTGRESQL -> {
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("tcpKeepAlive", "true");
        driver = new org.postgresql.Driver();
      }
      case MYSQL -> {
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS * 1000));
        properties.setProperty("tcpKeepAlive", "true");
        driver = new org.mariadb.jdbc.Driver();
      }
      default -> throw new IllegalStateException("Unknown dialect " + config.dialect());
    }
    if (config.user() != null) {
      properties.setProperty("user", config.user());
    }
    if (config.password() != null) {
      properties.setProperty("password", config.password());
    }
    try {
      Connection connection = driver.connect(config.jdbcUrl(), properties);
      if (connection == null) {
        throw new RegistryConfigurationException(
            "Invalid registry URL " + config.jdbcUrl() + ": the JDBC driver does not accept it");
      }
      return connection;
    } catch (SQLException e) {
      SqlErrors.Kind kind = SqlErrors.classify(e, config.dialect());
      String message =
          switch (kind) {
            case ACCESS ->
                config.dialect() == RegistryDialect.SQLITE
                    ? "Cannot open the SQLite registry "
                        + config.jdbcUrl().substring("jdbc:sqlite:".length())
                        + ": check that its folder exists and is writable"
                    : "Cannot log in to the registry at "
                        + config.describe()
                        + ": "
                        + e.getMessage()
                        + "; check the user, password and database in registry.path";
            default ->
                "Cannot connect to the registry at " + config.describe() + ": " + e.getMessage();
          };
      if (kind == SqlErrors.Kind.CONNECTION || kind == SqlErrors.Kind.CONFLICT) {
        throw new RegistryUnavailableException(message, e);
      }
      throw new RegistryConfigurationException(message, e);
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

  private static String truncate(String error) {
    return error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS) + "…";
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return System.getenv().getOrDefault("HOSTNAME", "unknown");
    }
  }
}
