package io.sluice.online;

/** Whether a write may replace a value whose event timestamp is the same or newer. */
public enum WriteMode {
  /**
   * Feast's rule: write only when the row's event timestamp is strictly newer than the stored one
   * for that entity and feature view. The check and the write are one atomic step on the server.
   */
  NEWER_ONLY,
  /** Write regardless of what is stored, for corrections. */
  FORCE
}
