package io.sluice.registry;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One row of the run history ({@code sluice_materialization_runs}). {@code finishedAt}, {@code
 * host}, {@code sparkApplicationId}, {@code error}, {@code phase} and {@code stage} are {@code
 * null} when not known.
 *
 * @param phase {@link RunPhase#STAGED} once the run's stage is complete (staging runs only)
 * @param stage the stage folder the run wrote or resumed from (staging runs only)
 */
public record MaterializationRun(
    String runId,
    String project,
    String featureView,
    TimeInterval window,
    RunStatus status,
    Instant startedAt,
    Instant finishedAt,
    String host,
    String sparkApplicationId,
    RunStats stats,
    String error,
    RunPhase phase,
    String stage) {
  public MaterializationRun {
    requireNonNull(runId, "runId is null");
    requireNonNull(project, "project is null");
    requireNonNull(featureView, "featureView is null");
    requireNonNull(window, "window is null");
    requireNonNull(status, "status is null");
    requireNonNull(startedAt, "startedAt is null");
    requireNonNull(stats, "stats is null");
  }
}
