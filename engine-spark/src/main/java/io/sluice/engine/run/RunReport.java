package io.sluice.engine.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.common.json.Json;
import io.sluice.engine.staging.StagingReport;
import io.sluice.registry.TimeInterval;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * The one-line JSON report a run prints last on stdout (and writes to {@code --report}): what ran,
 * on which window, what it read, dropped, wrote and skipped, where the time went, and how it ended.
 *
 * <p>Built by its named factories; the canonical constructor is for JSON reading.
 *
 * @param rowsDropped rows dropped by reason ({@code null_join_key}, {@code null_event_timestamp})
 * @param storeRetries online store requests the writers sent again under their retry rule, in every
 *     task, failed ones included (0 for a store that needed none)
 * @param storeThrottled those of {@code storeRetries} that followed the store throttling a writer
 *     (DynamoDB's throttling errors and BatchWriteItem's unprocessed items; 0 for other stores)
 * @param seconds seconds per stage: {@code startup} (the JVM's age when the run starts: JVM boot,
 *     config, registry, Spark session), {@code plan} (driver: run row, source schema), {@code
 *     read_reduce} (Spark stages reading the window and reducing to latest per entity), {@code
 *     write} (the stage writing partitions to the online store), {@code record} (the registry
 *     transaction), {@code total} (from the run's start); with staging also {@code stage} (the rest
 *     of the job that reads, reduces and writes the stage: the final aggregation and the Parquet
 *     write), and {@code write} reads the stage
 * @param staging where the run staged and whether it resumed, when {@code staging_location} is set
 */
@JsonPropertyOrder({
  "run_id",
  "command",
  "project",
  "feature_view",
  "start",
  "end",
  "mode",
  "status",
  "exit_code",
  "rows_read",
  "rows_dropped",
  "entities",
  "rows_written",
  "rows_skipped_not_newer",
  "store_retries",
  "store_throttled",
  "partitions",
  "seconds",
  "online_store",
  "staging",
  "error"
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunReport(
    @JsonProperty("run_id") String runId,
    @JsonProperty("command") String command,
    @JsonProperty("project") String project,
    @JsonProperty("feature_view") String featureView,
    @JsonProperty("start") Instant start,
    @JsonProperty("end") Instant end,
    @JsonProperty("mode") String mode,
    @JsonProperty("status") String status,
    @JsonProperty("exit_code") int exitCode,
    @JsonProperty("rows_read") long rowsRead,
    @JsonProperty("rows_dropped") Map<String, Long> rowsDropped,
    @JsonProperty("entities") long entities,
    @JsonProperty("rows_written") long rowsWritten,
    @JsonProperty("rows_skipped_not_newer") long rowsSkippedNotNewer,
    @JsonProperty("store_retries") long storeRetries,
    @JsonProperty("store_throttled") long storeThrottled,
    @JsonProperty("partitions") int partitions,
    @JsonProperty("seconds") Map<String, Double> seconds,
    @JsonProperty("online_store") String onlineStore,
    @JsonProperty("staging") StagingReport staging,
    @JsonProperty("error") String error) {
  /** What identifies a run in its report, fixed before it starts. */
  record Context(
      String runId,
      String command,
      String project,
      String featureView,
      TimeInterval window,
      String mode,
      String onlineStore) {}

  /** What a run counted and timed, at the end or at the moment it failed. */
  record Counts(
      long rowsRead,
      Map<String, Long> rowsDropped,
      long entities,
      long rowsWritten,
      long rowsSkippedNotNewer,
      long storeRetries,
      long storeThrottled,
      int partitions,
      Map<String, Double> seconds,
      StagingReport staging) {}

  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";
  public static final String UP_TO_DATE = "UP_TO_DATE";

  private static final ObjectMapper JSON = Json.MAPPER;

  /** A run that wrote every partition and recorded its interval. */
  static RunReport succeeded(Context context, Counts counts) {
    return of(context, SUCCEEDED, ExitCodes.SUCCESS, counts, null);
  }

  /** A run that started and failed: what it had done, the exit code and the error. */
  static RunReport failed(Context context, Counts counts, int exitCode, String error) {
    return of(context, FAILED, exitCode, counts, error);
  }

  /** An incremental run with nothing to do: the view is materialized up to {@code end}. */
  static RunReport upToDate(
      String project,
      String featureView,
      Instant start,
      Instant end,
      String mode,
      String onlineStore) {
    return new RunReport(
        null,
        "materialize-incremental",
        project,
        featureView,
        start,
        end,
        mode,
        UP_TO_DATE,
        ExitCodes.SUCCESS,
        0,
        Map.of(),
        0,
        0,
        0,
        0,
        0,
        0,
        Map.of(),
        onlineStore,
        null,
        null);
  }

  /** A command that failed before its run started (bad arguments, configuration, registry). */
  public static RunReport failedBeforeRun(
      String command, String project, String featureView, int exitCode, String error) {
    return new RunReport(
        null,
        command,
        project,
        featureView,
        null,
        null,
        null,
        FAILED,
        exitCode,
        0,
        null,
        0,
        0,
        0,
        0,
        0,
        0,
        null,
        null,
        null,
        error);
  }

  private static RunReport of(
      Context context, String status, int exitCode, Counts counts, String error) {
    return new RunReport(
        context.runId(),
        context.command(),
        context.project(),
        context.featureView(),
        context.window().start(),
        context.window().end(),
        context.mode(),
        status,
        exitCode,
        counts.rowsRead(),
        counts.rowsDropped(),
        counts.entities(),
        counts.rowsWritten(),
        counts.rowsSkippedNotNewer(),
        counts.storeRetries(),
        counts.storeThrottled(),
        counts.partitions(),
        counts.seconds(),
        context.onlineStore(),
        counts.staging(),
        error);
  }

  public long rowsDroppedTotal() {
    return rowsDropped == null ? 0 : rowsDropped.values().stream().mapToLong(Long::longValue).sum();
  }

  /** The report as one line of JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static RunReport fromJson(String json) {
    try {
      return JSON.readValue(json, RunReport.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
