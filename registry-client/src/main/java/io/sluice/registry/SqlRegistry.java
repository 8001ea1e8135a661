package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private final RegistryConnection connection;
  private final FeastObjectReader reader;
  private final FeastObjectWriter writer;
  private final RunHistory runs = new RunHistory();

  private SqlRegistry(RegistryConnection connection) {
    this.connection = connection;
    this.reader = new FeastObjectReader(connection.config());
    this.writer = new FeastObjectWriter(reader);
  }

  /** Connects to the registry. Does not create tables (see {@link #ensureSchema()}). */
  public static SqlRegistry open(RegistryConfig config) {
    requireNonNull(config, "config is null");
    return new SqlRegistry(RegistryConnection.open(config, RETRY_BUDGET));
  }

  public RegistryConfig config() {
    return connection.config();
  }

  /**
   * Creates Feast's registry tables and the run history table when missing, and adds the run
   * history columns this version has to a table an older version created. Idempotent and safe to
   * run concurrently; Feast's existing tables (including ones Feast created) are never altered.
   */
  public synchronized void ensureSchema() {
    List<String> changes =
        connection.autocommit(
            "create the registry tables",
            c -> RegistrySchema.ensure(c, config().dialect(), config().schemaMode()));
    if (!changes.isEmpty()) {
      LOG.info("Updated the registry schema at {}: {}", config().describe(), changes);
    }
  }

  /** The names of the project's feature views, sorted. */
  public synchronized List<String> featureViewNames(String project) {
    requireNonNull(project, "project is null");
    return connection.autocommit("list feature views", c -> reader.featureViewNames(c, project));
  }

  /**
   * The feature view {@code name} of {@code project}.
   *
   * @throws FeatureViewNotFoundException when it does not exist; lists those that do
   */
  public synchronized FeatureViewDefinition featureView(String project, String name) {
    requireNonNull(project, "project is null");
    requireNonNull(name, "name is null");
    return connection.autocommit(
        "read feature view '" + name + "'", c -> reader.featureView(c, project, name));
  }

  /** The project's feature views with their recorded intervals and state, sorted by name. */
  public synchronized List<FeatureViewDefinition> featureViews(String project) {
    requireNonNull(project, "project is null");
    return connection.autocommit("list feature views", c -> reader.featureViews(c, project));
  }

  /** The project's entities, sorted by name. */
  public synchronized List<EntityDefinition> entities(String project) {
    requireNonNull(project, "project is null");
    return connection.autocommit("list entities", c -> reader.entities(c, project));
  }

  /** The project's data sources that Sluice can read, sorted by name. */
  public synchronized List<DataSourceDefinition> dataSources(String project) {
    requireNonNull(project, "project is null");
    return connection.autocommit("list data sources", c -> reader.dataSources(c, project));
  }

  /** The recorded intervals of a feature view, sorted and coalesced. */
  public synchronized List<TimeInterval> intervals(String project, String featureView) {
    return featureView(project, featureView).materializationIntervals();
  }

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
    connection.inTransaction(
        "apply " + definitionsFile,
        c -> {
          writer.apply(c, project, definitions);
          return null;
        });
    LOG.info(
        "Applied {} entities, {} data sources and {} feature views to project {} in {}",
        definitions.entities().size(),
        definitions.dataSources().size(),
        definitions.featureViews().size(),
        project,
        config().describe());
    return definitions;
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
    connection.inTransaction(
        "start a run of feature view '" + featureView + "'",
        c -> {
          runs.insert(c, runId, project, featureView, window, sparkApplicationId);
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
    connection.inTransaction(
        "complete run " + runId,
        c -> {
          MaterializationRun run = runs.toComplete(c, runId);
          writer.recordInterval(c, run.project(), run.featureView(), run.window());
          runs.markSucceeded(c, runId, stats);
          return null;
        });
  }

  /**
   * Marks a running run {@link RunPhase#STAGED}: its reduced rows are in {@code stage} (written by
   * it, or the stage it resumes from), and the online write comes next.
   */
  public synchronized void markStaged(String runId, String stage) {
    requireNonNull(runId, "runId is null");
    requireNonNull(stage, "stage is null");
    connection.inTransaction(
        "mark run " + runId + " staged",
        c -> {
          runs.markStaged(c, runId, stage);
          return null;
        });
  }

  /** Marks a running run {@link RunStatus#FAILED} with its counts so far and the error text. */
  public synchronized void failRun(String runId, RunStats stats, String error) {
    requireNonNull(runId, "runId is null");
    requireNonNull(stats, "stats is null");
    requireNonNull(error, "error is null");
    connection.inTransaction(
        "mark run " + runId + " failed",
        c -> {
          runs.markFailed(c, runId, stats, error);
          return null;
        });
  }

  /** One run by id. */
  public synchronized Optional<MaterializationRun> run(String runId) {
    requireNonNull(runId, "runId is null");
    return connection.autocommit("read run " + runId, c -> runs.find(c, runId));
  }

  /** The runs of a feature view, oldest first. */
  public synchronized List<MaterializationRun> runs(String project, String featureView) {
    requireNonNull(project, "project is null");
    requireNonNull(featureView, "featureView is null");
    return connection.autocommit("list runs", c -> runs.list(c, project, featureView));
  }

  /**
   * The runs of a feature view still marked {@link RunStatus#RUNNING} (running now, or whose driver
   * died), oldest first.
   */
  public synchronized List<MaterializationRun> runningRuns(String project, String featureView) {
    requireNonNull(project, "project is null");
    requireNonNull(featureView, "featureView is null");
    return connection.autocommit(
        "list running runs of feature view '" + featureView + "'",
        c -> runs.running(c, project, featureView));
  }

  /** The project's latest runs of every view, newest first: at most {@code limit}. */
  public synchronized List<MaterializationRun> recentRuns(String project, int limit) {
    requireNonNull(project, "project is null");
    checkLimit(limit);
    return connection.autocommit("list recent runs", c -> runs.recent(c, project, limit));
  }

  /** The latest runs of one feature view, newest first: at most {@code limit}. */
  public synchronized List<MaterializationRun> recentRuns(
      String project, String featureView, int limit) {
    requireNonNull(project, "project is null");
    requireNonNull(featureView, "featureView is null");
    checkLimit(limit);
    return connection.autocommit(
        "list recent runs of feature view '" + featureView + "'",
        c -> runs.recent(c, project, featureView, limit));
  }

  private static void checkLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
  }

  @Override
  public synchronized void close() {
    connection.close();
  }
}
