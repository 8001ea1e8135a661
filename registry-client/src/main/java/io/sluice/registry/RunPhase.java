package io.sluice.registry;

/**
 * How far a staging run got before its write ({@code sluice_materialization_runs.phase}); null for
 * a run without staging, or one that has not staged yet.
 */
public enum RunPhase {
  /** The run's reduced rows are staged (or it resumed from a stage): the online write is next. */
  STAGED
}
