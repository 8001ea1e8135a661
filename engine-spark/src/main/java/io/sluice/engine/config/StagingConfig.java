package io.sluice.engine.config;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how long the reduced rows are staged before the online write.
 *
 * @param location Feast's {@code batch_engine.staging_location} (any Hadoop path: {@code s3a://},
 *     {@code hdfs://}, {@code file:}), or null: no staging
 * @param keep {@code sluice.staging_keep}: keep a succeeded run's stage (for audit) until it is
 *     older than {@code retention}, instead of deleting it at once
 * @param retention {@code sluice.staging_retention_hours}: kept stages, and stages of runs that
 *     failed or were abandoned, older than this are deleted by the next run of the view
 */
public record StagingConfig(String location, boolean keep, Duration retention)
    implements Serializable {
  public static final String KEEP = "staging_keep";
  public static final String RETENTION_HOURS = "staging_retention_hours";
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

  public StagingConfig {
    requireNonNull(retention, "retention is null");
  }

  public static StagingConfig none() {
    return new StagingConfig(null, false, DEFAULT_RETENTION);
  }

  public Optional<String> optionalLocation() {
    return Optional.ofNullable(location);
  }
}
