package io.sluice.engine.staging;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.common.json.Json;
import java.time.Instant;
import java.util.List;

/**
 * The small JSON file that describes a stage, written after its Parquet files and before its marker
 * ({@value Staging#MANIFEST}).
 *
 * @param format this layout's version (readers refuse other versions)
 * @param reduction the version of the reduction that made the rows ({@value #REDUCTION}): a stage
 *     of another reduction is not reused
 * @param rows the reduced rows staged: one per entity
 * @param layout the reduced layout's columns as {@code name:FEAST_TYPE}, in order: a stage is
 *     reused only by a view with the same layout
 * @param sourceDefinition the batch source's definition as text ({@link
 *     Staging.Fingerprint#sourceDefinition}): a stage is reused only while it is the same
 * @param sparkSchema the staged rows' Spark schema (JSON), read back as written
 * @param files the stage's Parquet files (names inside the stage) and sizes: a resumed run reads
 *     exactly these, so files a failed task attempt left behind are never read
 * @param source the source as read ({@link SourceDescription})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageManifest(
    @JsonProperty("format") int format,
    @JsonProperty("reduction") int reduction,
    @JsonProperty("sluice_version") String sluiceVersion,
    @JsonProperty("run_id") String runId,
    @JsonProperty("project") String project,
    @JsonProperty("feature_view") String featureView,
    @JsonProperty("start") Instant start,
    @JsonProperty("end") Instant end,
    @JsonProperty("created_at") Instant createdAt,
    @JsonProperty("rows") long rows,
    @JsonProperty("layout") List<String> layout,
    @JsonProperty("source_definition") String sourceDefinition,
    @JsonProperty("spark_schema") String sparkSchema,
    @JsonProperty("files") List<StagedFile> files,
    @JsonProperty("source") SourceDescription source) {
  public static final int FORMAT = 1;

  /**
   * The reduction's version: raise it when LatestPerEntity would keep other rows or other values
   * from the same source, so older stages are not reused.
   */
  public static final int REDUCTION = 1;

  public StageManifest {
    layout = List.copyOf(layout);
    files = List.copyOf(files);
  }

  /** One Parquet file of the stage. */
  public record StagedFile(@JsonProperty("name") String name, @JsonProperty("size") long size) {}

  String toJson() {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a stage manifest", e);
    }
  }

  static StageManifest fromJson(String json) throws JsonProcessingException {
    return Json.MAPPER.readValue(json, StageManifest.class);
  }
}
