package io.sluice.engine.run;

import static java.util.Objects.requireNonNull;

/**
 * A run that started (it has a run row, marked FAILED) and then failed. Carries the report with the
 * counts so far; the cause decides the exit code.
 */
public final class MaterializationFailedException extends RuntimeException {
  private final RunReport report;

  MaterializationFailedException(RunReport report, Throwable cause) {
    super(ExitCodes.message(cause), cause);
    this.report = requireNonNull(report, "report is null");
  }

  public RunReport report() {
    return report;
  }
}
