package io.sluice.engine.staging;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.FileStatusWithMetadata;
import org.apache.spark.sql.execution.datasources.PartitionDirectory;
import scala.collection.JavaConverters;

/**
 * The source of a run as Spark reads it: every file its scans select (after date-partition pruning)
 * with its size and modification time, in the order of their paths, and a SHA-256 digest of that
 * list. A stage is reused only while the source still has this description. Taken from Spark's own
 * file listing of the plan (no extra requests to the file system, and no rows read).
 *
 * <p>A source Spark does not read from files (a table over JDBC, an in-memory view) has no
 * description ({@code describable} false): a stage of it is never reused, since nothing tells
 * whether it changed.
 *
 * @param source where the rows come from, as messages name it (a path, a table, a query)
 * @param describable whether every scan of the plan reads files
 * @param fileCount the files read
 * @param totalBytes their sizes summed
 * @param digest SHA-256 of the sorted {@code path size mtime} lines, hex
 * @param files the first {@value #LISTED_FILES} files, for people reading the manifest
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceDescription(
    @JsonProperty("source") String source,
    @JsonProperty("describable") boolean describable,
    @JsonProperty("file_count") long fileCount,
    @JsonProperty("total_bytes") long totalBytes,
    @JsonProperty("digest") String digest,
    @JsonProperty("files") List<SourceFile> files) {
  static final int LISTED_FILES = 1000;

  public SourceDescription {
    Objects.requireNonNull(source, "source is null");
    files = files == null ? List.of() : List.copyOf(files);
  }

  /** One file of the source. */
  public record SourceFile(
      @JsonProperty("path") String path,
      @JsonProperty("size") long size,
      @JsonProperty("modified") long modifiedMillis) {}

  /** The description of {@code rows}, a source as {@code SourceReader} returns it. */
  public static SourceDescription of(String source, Dataset<Row> rows) {
    SparkPlan plan = rows.queryExecution().sparkPlan();
    List<SourceFile> files = new ArrayList<>();
    boolean describable = true;
    for (SparkPlan leaf : JavaConverters.seqAsJavaList(plan.collectLeaves())) {
      if (!(leaf instanceof FileSourceScanExec scan)) {
        describable = false;
        continue;
      }
      for (PartitionDirectory partition : scan.selectedPartitions()) {
        for (FileStatusWithMetadata file : JavaConverters.seqAsJavaList(partition.files())) {
          files.add(
              new SourceFile(
                  file.getPath().toString(),
                  file.fileStatus().getLen(),
                  file.fileStatus().getModificationTime()));
        }
      }
    }
    return of(source, describable, files);
  }

  static SourceDescription of(String source, boolean describable, List<SourceFile> files) {
    List<SourceFile> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(SourceFile::path));
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("The JVM has no SHA-256", e);
    }
    long bytes = 0;
    for (SourceFile file : sorted) {
      sha256.update(
          (file.path() + '\t' + file.size() + '\t' + file.modifiedMillis() + '\n')
              .getBytes(StandardCharsets.UTF_8));
      bytes += file.size();
    }
    return new SourceDescription(
        source,
        describable,
        sorted.size(),
        bytes,
        HexFormat.of().formatHex(sha256.digest()),
        sorted.subList(0, Math.min(LISTED_FILES, sorted.size())));
  }

  /**
   * Why a stage of {@code staged} cannot stand for this source, or null when it can: the same
   * files, sizes and times.
   */
  String differenceFrom(SourceDescription staged) {
    if (!describable || !staged.describable) {
      return "the source "
          + source
          + " is not read from files only, so Sluice cannot tell whether it changed";
    }
    if (digest.equals(staged.digest)) {
      return null;
    }
    StringBuilder why =
        new StringBuilder("the source changed since the stage was made: ")
            .append(summary(staged))
            .append(" then, ")
            .append(summary(this))
            .append(" now");
    String first = firstDifference(staged.files, files);
    if (first != null) {
      why.append(" (").append(first).append(')');
    }
    return why.toString();
  }

  private static String summary(SourceDescription description) {
    return String.format(
        Locale.ROOT,
        "%d file%s, %,d bytes",
        description.fileCount,
        description.fileCount == 1 ? "" : "s",
        description.totalBytes);
  }

  /** The first path that differs between two sorted listings, when both are complete. */
  private static String firstDifference(List<SourceFile> then, List<SourceFile> now) {
    int common = Math.min(then.size(), now.size());
    for (int i = 0; i < common; i++) {
      SourceFile a = then.get(i);
      SourceFile b = now.get(i);
      if (!a.path().equals(b.path())) {
        return a.path().compareTo(b.path()) < 0 ? a.path() + " is gone" : b.path() + " is new";
      }
      if (a.size() != b.size() || a.modifiedMillis() != b.modifiedMillis()) {
        return b.path() + " was rewritten";
      }
    }
    if (then.size() != now.size() && then.size() < LISTED_FILES && now.size() < LISTED_FILES) {
      return then.size() > now.size()
          ? then.get(common).path() + " is gone"
          : now.get(common).path() + " is new";
    }
    return null;
  }
}
