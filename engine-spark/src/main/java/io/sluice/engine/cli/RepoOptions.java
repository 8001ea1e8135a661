package io.sluice.engine.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command shares: which feature repo, and for most, which view. */
final class RepoOptions {
  @Option(
      names = "--config",
      defaultValue = "feature_store.yaml",
      description = "Feast feature_store.yaml (default: ${DEFAULT-VALUE})")
  Path config;

  /** {@code --feature-view}, required where a command uses it. */
  static final class View {
    @Option(names = "--feature-view", required = true, description = "The feature view")
    String name;
  }

  /** {@code --json}, for the listing commands: one JSON document instead of a table. */
  static final class Format {
    @Option(names = "--json", description = "Print one line of JSON instead of a table")
    boolean json;
  }

  /** {@code --start}, the window's (or range's) inclusive start. */
  static final class Start {
    @Option(
        names = "--start",
        required = true,
        description = "Window start, inclusive (ISO-8601; UTC when no offset)")
    String value;

    java.time.Instant instant() {
      return Timestamps.parse("--start", value);
    }
  }

  /** {@code --end}, the window's exclusive end, for the materializing commands. */
  static final class End {
    @Option(
        names = "--end",
        required = true,
        description = "Window end, exclusive (ISO-8601; UTC when no offset)")
    String value;

    java.time.Instant instant() {
      return Timestamps.parse("--end", value);
    }
  }

  /** {@code --force} and {@code --report}, for the commands that run a materialization. */
  static final class Run {
    @Option(names = "--force", description = "Write even where the store holds newer values")
    boolean force;

    @Option(names = "--report", description = "Also write the JSON report to this file")
    Path report;

    @Option(
        names = "--no-resume",
        description =
            "With batch_engine.staging_location: read the source again even when a complete"
                + " stage of the window could be resumed from")
    boolean noResume;

    io.sluice.online.WriteMode mode() {
      return force ? io.sluice.online.WriteMode.FORCE : io.sluice.online.WriteMode.NEWER_ONLY;
    }
  }
}
