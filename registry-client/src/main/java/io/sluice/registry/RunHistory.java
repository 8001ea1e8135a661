package io.sluice.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.sluice.common.json.Json;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sluice's run history table ({@value RegistrySchema#RUNS_TABLE}): one row per run, inserted {@link
 * RunStatus#RUNNING} and finished {@link RunStatus#SUCCEEDED} or {@link RunStatus#FAILED} with its
 * counts. Times are stored as fixed-width ISO-8601 UTC text, so they sort and read with plain SQL.
 * Works inside the caller's transaction; stateless apart from this host's name.
 */
final class RunHistory {
  private static final int MAX_ERROR_CHARS = 16_000;
  private static final DateTimeFormatter RUN_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final String host = localHost();

  /** Inserts a {@link RunStatus#RUNNING} row started now on this host. */
  void insert(
      Connection connection,
      String runId,
      String project,
      String featureView,
      TimeInterval window,
      String sparkApplicationId)
      throws SQLException {
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
  }

  /**
   * The run that is about to be completed: running or already succeeded (completing again changes
   * nothing).
   *
   * @throws RegistryConfigurationException when there is no such run or it is marked FAILED
   */
  MaterializationRun toComplete(Connection connection, String runId) throws SQLException {
    MaterializationRun run =
        find(connection, runId)
            .orElseThrow(
                () ->
                    new RegistryConfigurationException(
                        "Cannot complete run " + runId + ": no run with that id"));
    if (run.status() == RunStatus.FAILED) {
      throw new RegistryConfigurationException(
          "Cannot complete run " + runId + ": it is already marked FAILED");
    }
    return run;
  }

  void markSucceeded(Connection connection, String runId, RunStats stats) throws SQLException {
    finish(connection, runId, RunStatus.SUCCEEDED, stats, null);
  }

  /**
   * Marks a running run {@link RunStatus#FAILED} with its counts so far and the error text (cut to
   * {@value #MAX_ERROR_CHARS} characters).
   *
   * @throws RegistryConfigurationException when there is no such run or it is no longer running
   */
  void markFailed(Connection connection, String runId, RunStats stats, String error)
      throws SQLException {
    MaterializationRun run =
        find(connection, runId)
            .orElseThrow(
                () ->
                    new RegistryConfigurationException(
                        "Cannot mark run " + runId + " failed: no run with that id"));
    if (run.status() != RunStatus.RUNNING) {
      throw new RegistryConfigurationException(
          "Cannot mark run " + runId + " failed: it is already " + run.status());
    }
    finish(connection, runId, RunStatus.FAILED, stats, truncate(error));
  }

  /** Sets a running run's phase to {@link RunPhase#STAGED} and its stage. */
  void markStaged(Connection connection, String runId, String stage) throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE "
                + RegistrySchema.RUNS_TABLE
                + " SET phase = ?, stage = ? WHERE run_id = ? AND status = ?")) {
      update.setString(1, RunPhase.STAGED.name());
      update.setString(2, stage);
      update.setString(3, runId);
      update.setString(4, RunStatus.RUNNING.name());
      if (update.executeUpdate() != 1) {
        throw new RegistryConfigurationException(
            "Cannot mark run " + runId + " staged: no running run with that id");
      }
    }
  }

  Optional<MaterializationRun> find(Connection connection, String runId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT * FROM " + RegistrySchema.RUNS_TABLE + " WHERE run_id = ?")) {
      select.setString(1, runId);
      try (ResultSet rows = select.executeQuery()) {
        return rows.next() ? Optional.of(run(rows)) : Optional.empty();
      }
    }
  }

  /** The runs of a feature view, oldest first. */
  List<MaterializationRun> list(Connection connection, String project, String featureView)
      throws SQLException {
    return select(
        connection,
        "SELECT * FROM "
            + RegistrySchema.RUNS_TABLE
            + " WHERE project_id = ? AND feature_view_name = ? ORDER BY started_at, run_id",
        project,
        featureView);
  }

  /** The runs of a feature view still marked {@link RunStatus#RUNNING}, oldest first. */
  List<MaterializationRun> running(Connection connection, String project, String featureView)
      throws SQLException {
    return select(
        connection,
        "SELECT * FROM "
            + RegistrySchema.RUNS_TABLE
            + " WHERE project_id = ? AND feature_view_name = ? AND status = ?"
            + " ORDER BY started_at, run_id",
        project,
        featureView,
        RunStatus.RUNNING.name());
  }

  /** The project's runs of every view, newest first, at most {@code limit}. */
  List<MaterializationRun> recent(Connection connection, String project, int limit)
      throws SQLException {
    return select(
        connection,
        "SELECT * FROM "
            + RegistrySchema.RUNS_TABLE
            + " WHERE project_id = ? ORDER BY started_at DESC, run_id DESC LIMIT ?",
        project,
        limit);
  }

  /** The runs of a feature view, newest first, at most {@code limit}. */
  List<MaterializationRun> recent(
      Connection connection, String project, String featureView, int limit) throws SQLException {
    return select(
        connection,
        "SELECT * FROM "
            + RegistrySchema.RUNS_TABLE
            + " WHERE project_id = ? AND feature_view_name = ?"
            + " ORDER BY started_at DESC, run_id DESC LIMIT ?",
        project,
        featureView,
        limit);
  }

  /** Runs {@code sql} with {@code parameters} (strings and ints) and reads every row as a run. */
  private static List<MaterializationRun> select(
      Connection connection, String sql, Object... parameters) throws SQLException {
    List<MaterializationRun> runs = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        if (parameters[i] instanceof Integer number) {
          select.setInt(i + 1, number);
        } else {
          select.setString(i + 1, (String) parameters[i]);
        }
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          runs.add(run(rows));
        }
      }
    }
    return runs;
  }

  private static void finish(
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
        row.getString("error"),
        phase(row.getString("phase")),
        row.getString("stage"));
  }

  /** A phase this version knows, else null (a later version may write others). */
  private static RunPhase phase(String text) {
    for (RunPhase phase : RunPhase.values()) {
      if (phase.name().equals(text)) {
        return phase;
      }
    }
    return null;
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
