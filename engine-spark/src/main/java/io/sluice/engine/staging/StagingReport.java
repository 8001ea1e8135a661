package io.sluice.engine.staging;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The {@code staging} object of a run's report.
 *
 * @param location {@code batch_engine.staging_location}, without user information
 * @param stage the stage this run wrote, or the one it resumed from
 * @param resumedFrom the stage the run resumed from instead of reading the source, or null
 * @param resumedStageAgeSeconds how old that stage was when the run started
 * @param note what the run noticed about the stage it resumed from (the source could not be read)
 * @param notResumed why each complete stage of the window was not reused ({@code --no-resume}, the
 *     source changed, the view's columns changed)
 * @param kept after success: true when the stage was kept ({@code sluice.staging_keep}), false when
 *     it was deleted; null while the run has not succeeded
 * @param expiredDeleted stages of this view older than the retention that this run deleted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "location",
  "stage",
  "resumed_from",
  "resumed_stage_age_seconds",
  "note",
  "not_resumed",
  "kept",
  "expired_deleted"
})
public record StagingReport(
    @JsonProperty("location") String location,
    @JsonProperty("stage") String stage,
    @JsonProperty("resumed_from") String resumedFrom,
    @JsonProperty("resumed_stage_age_seconds") Double resumedStageAgeSeconds,
    @JsonProperty("note") String note,
    @JsonProperty("not_resumed") List<String> notResumed,
    @JsonProperty("kept") Boolean kept,
    @JsonProperty("expired_deleted") Integer expiredDeleted) {
  public StagingReport {
    notResumed = notResumed == null || notResumed.isEmpty() ? null : List.copyOf(notResumed);
  }

  public static StagingReport at(String location, int expiredDeleted) {
    return new StagingReport(location, null, null, null, null, null, null, expiredDeleted);
  }

  public StagingReport withStage(String stage) {
    return new StagingReport(
        location,
        stage,
        resumedFrom,
        resumedStageAgeSeconds,
        note,
        notResumed,
        kept,
        expiredDeleted);
  }

  public StagingReport resumed(String stage, double ageSeconds, String note) {
    return new StagingReport(
        location, stage, stage, ageSeconds, note, notResumed, kept, expiredDeleted);
  }

  public StagingReport withNotResumed(List<String> reasons) {
    return new StagingReport(
        location, stage, resumedFrom, resumedStageAgeSeconds, note, reasons, kept, expiredDeleted);
  }

  public StagingReport withKept(boolean keptAfterSuccess) {
    return new StagingReport(
        location,
        stage,
        resumedFrom,
        resumedStageAgeSeconds,
        note,
        notResumed,
        keptAfterSuccess,
        expiredDeleted);
  }
}
