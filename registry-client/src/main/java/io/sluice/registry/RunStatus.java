package io.sluice.registry;

/** The state of a materialization run in {@code sluice_materialization_runs}. */
public enum RunStatus {
  RUNNING,
  SUCCEEDED,
  FAILED;
}
