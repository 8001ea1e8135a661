package io.sluice.engine.staging;

import static java.util.Objects.requireNonNull;

import io.sluice.common.config.InvalidConfigException;
import io.sluice.engine.InvalidUsageException;
import io.sluice.registry.TimeInterval;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stages of one feature view and window under {@code batch_engine.staging_location}, driver
 * side, through Hadoop's {@link FileSystem} (S3A, HDFS, the local file system):
 *
 * <pre>
 * &lt;staging&gt;/&lt;project&gt;/&lt;view&gt;/&lt;start&gt;_&lt;end&gt;/&lt;run id&gt;/
 *     part-….parquet         the reduced rows, one per entity (Spark's writer)
 *     _sluice_manifest.json  written after the Parquet files ({@link StageManifest})
 *     _SLUICE_STAGED         the marker, written last: a stage without it is never used
 * </pre>
 *
 * <p>Times in folder names are UTC, {@code 20240501T000000Z} (no colons: Hadoop paths do not take
 * them). Names other than letters, digits, {@code . _ -} are percent-encoded. Every delete is
 * checked to lie under the view's own folder.
 */
public final class Staging {
  private static final Logger LOG = LoggerFactory.getLogger(Staging.class);

  static final String MANIFEST = "_sluice_manifest.json";
  static final String MARKER = "_SLUICE_STAGED";
  private static final DateTimeFormatter FOLDER_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  private final FileSystem fs;
  private final String location;
  private final Path viewFolder;
  private final Path windowFolder;

  private Staging(FileSystem fs, String location, Path viewFolder, Path windowFolder) {
    this.fs = fs;
    this.location = location;
    this.viewFolder = viewFolder;
    this.windowFolder = windowFolder;
  }

  /**
   * The stages of {@code view}'s {@code window} under {@code location}, after checking that the
   * location can be written: a probe file is created in the view's folder and deleted, so a missing
   * bucket, wrong credentials or a read-only path fail here, before the source is read and before
   * any online write.
   *
   * @throws InvalidConfigException (exit 2) when the location is not a usable path, names a file
   *     system Hadoop does not have, or cannot be written (missing bucket or folder, access denied)
   * @throws UncheckedIOException (exit 4) for any other I/O failure (the store unreachable)
   */
  public static Staging open(
      Configuration hadoop, String location, String project, String view, TimeInterval window) {
    requireNonNull(location, "location is null");
    String shown = withoutSecrets(location);
    Path base;
    try {
      URI uri = new URI(location.endsWith("/") ? location : location + "/");
      if (uri.getScheme() == null) {
        throw new InvalidConfigException(
            "Invalid batch_engine.staging_location "
                + shown
                + ": it needs a scheme, e.g. s3a://bucket/prefix, hdfs://namenode/path or"
                + " file:///absolute/path");
      }
      base = new Path(uri);
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new InvalidConfigException(
          "Invalid batch_engine.staging_location " + shown + ": " + e.getMessage(), e);
    }
    FileSystem fs;
    try {
      fs = base.getFileSystem(hadoop);
    } catch (IOException e) {
      if (e instanceof org.apache.hadoop.fs.UnsupportedFileSystemException
          || String.valueOf(e.getMessage()).contains("No FileSystem for scheme")) {
        throw new InvalidConfigException(
            "Invalid batch_engine.staging_location "
                + shown
                + ": Hadoop has no file system for scheme '"
                + base.toUri().getScheme()
                + "'"
                + (base.toUri().getScheme().equals("s3") ? "; use s3a://" : ""),
            e);
      }
      throw failure("open", shown, e);
    }
    Path viewFolder = new Path(new Path(base, segment(project)), segment(view));
    Path windowFolder =
        new Path(viewFolder, folderTime(window.start()) + "_" + folderTime(window.end()));
    Staging staging = new Staging(fs, shown, viewFolder, windowFolder);
    staging.probe();
    return staging;
  }

  /** The location as messages and reports show it: without user information. */
  public String location() {
    return location;
  }

  /** A new stage folder for {@code runId} (not created: Spark's writer creates it). */
  public Path newStage(String runId) {
    return new Path(windowFolder, segment(runId));
  }

  /** A complete stage: its folder and manifest. */
  public record Stage(Path folder, StageManifest manifest) {
    /** The stage's Parquet files, as the manifest lists them. */
    public List<String> files() {
      return manifest.files().stream().map(f -> new Path(folder, f.name()).toString()).toList();
    }
  }

  /** The complete stages of this window (marker present, manifest readable), newest first. */
  public List<Stage> completeStages() {
    List<Stage> stages = new ArrayList<>();
    try {
      if (!fs.exists(windowFolder)) {
        return stages;
      }
      for (FileStatus folder : fs.listStatus(windowFolder)) {
        if (!folder.isDirectory() || !fs.exists(new Path(folder.getPath(), MARKER))) {
          continue;
        }
        Optional<StageManifest> manifest = readManifest(folder.getPath());
        manifest.ifPresent(m -> stages.add(new Stage(folder.getPath(), m)));
      }
    } catch (IOException e) {
      throw failure("list", windowFolder.toString(), e);
    }
    stages.sort(Comparator.comparing((Stage s) -> s.manifest().createdAt()).reversed());
    return stages;
  }

  /**
   * The stage to resume from, or none and why each was not taken.
   *
   * @param stage the stage to resume from, or null
   * @param note what the run should say about it (the source could not be read), or null
   * @param notReused why each other complete stage was not reused
   */
  public record Choice(Stage stage, String note, List<String> notReused) {
    public Choice {
      notReused = List.copyOf(notReused);
    }

    public static Choice none(List<String> notReused) {
      return new Choice(null, null, notReused);
    }
  }

  /**
   * Picks, newest first, the first of {@code complete} with this view's {@code layout} whose source
   * description is the {@code current} one. When the source cannot be read at all ({@code current}
   * null, {@code unreadable} the reason: its path was removed or renamed) the newest stage of the
   * same layout stands for it: it holds the window's rows as the source had them, which is what
   * resuming is for; the report says so.
   */
  public Choice choose(
      List<Stage> complete, List<String> layout, SourceDescription current, String unreadable) {
    List<String> notReused = new ArrayList<>();
    for (Stage stage : complete) {
      StageManifest manifest = stage.manifest();
      if (!manifest.layout().equals(layout)) {
        notReused.add(
            stage.folder()
                + ": the view's columns changed since it was staged ("
                + String.join(", ", manifest.layout())
                + " then, "
                + String.join(", ", layout)
                + " now)");
        continue;
      }
      if (current == null) {
        return new Choice(
            stage,
            "the source cannot be read now ("
                + unreadable
                + "); resumed from the stage, which holds the window as the source had it when"
                + " it was staged",
            notReused);
      }
      String difference = current.differenceFrom(manifest.source());
      if (difference == null) {
        return new Choice(stage, null, notReused);
      }
      notReused.add(stage.folder() + ": " + difference);
    }
    return Choice.none(notReused);
  }

  private Optional<StageManifest> readManifest(Path folder) throws IOException {
    Path file = new Path(folder, MANIFEST);
    try (var in = fs.open(file)) {
      StageManifest manifest =
          StageManifest.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      if (manifest.format() != StageManifest.FORMAT) {
        LOG.warn(
            "Ignoring stage {}: manifest format {} is not {}",
            folder,
            manifest.format(),
            StageManifest.FORMAT);
        return Optional.empty();
      }
      return Optional.of(manifest);
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      LOG.warn("Ignoring stage {}: its manifest cannot be read: {}", folder, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Completes the stage Spark wrote in {@code folder}: lists its Parquet files into the manifest,
   * writes the manifest, then the marker.
   */
  public Stage complete(
      Path folder, Function<List<StageManifest.StagedFile>, StageManifest> manifestOf) {
    try {
      List<StageManifest.StagedFile> files = new ArrayList<>();
      for (FileStatus file : fs.listStatus(folder)) {
        String name = file.getPath().getName();
        if (file.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
          files.add(new StageManifest.StagedFile(name, file.getLen()));
        }
      }
      files.sort(Comparator.comparing(StageManifest.StagedFile::name));
      StageManifest manifest = manifestOf.apply(files);
      write(new Path(folder, MANIFEST), manifest.toJson());
      write(new Path(folder, MARKER), "");
      return new Stage(folder, manifest);
    } catch (IOException e) {
      throw failure("complete the stage", folder.toString(), e);
    }
  }

  private void write(Path file, String text) throws IOException {
    try (FSDataOutputStream out = fs.create(file, false)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Deletes one stage folder of this view; false (and a WARN line) when it cannot. */
  public boolean delete(Path stage) {
    try {
      requireUnderView(stage);
      boolean deleted = fs.delete(stage, true);
      deleteIfEmpty(stage.getParent());
      return deleted;
    } catch (IOException e) {
      LOG.warn("Cannot delete stage {}: {}", stage, e.toString());
      return false;
    }
  }

  /**
   * Deletes the stages of every window of this view older than {@code retention} at {@code now}:
   * complete ones by their manifest's time, incomplete ones (a run that failed or was killed while
   * staging) by their newest file. Returns how many were deleted. Failures are logged, not thrown:
   * clean-up never fails a run.
   */
  public int deleteExpired(Duration retention, Instant now) {
    int deleted = 0;
    try {
      if (!fs.exists(viewFolder)) {
        return 0;
      }
      for (FileStatus window : fs.listStatus(viewFolder)) {
        if (!window.isDirectory()) {
          continue;
        }
        for (FileStatus stage : fs.listStatus(window.getPath())) {
          if (stage.isDirectory()
              && age(stage.getPath(), now).compareTo(retention) > 0
              && delete(stage.getPath())) {
            LOG.info("Deleted stage {}: older than {}", stage.getPath(), retention);
            deleted++;
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("Cannot clean up the stages under {}: {}", viewFolder, e.toString());
    }
    return deleted;
  }

  /** How old a stage is: its manifest's time when complete, else its newest file's. */
  public Duration age(Path stage, Instant now) throws IOException {
    Instant made;
    Optional<StageManifest> manifest =
        fs.exists(new Path(stage, MARKER)) ? readManifest(stage) : Optional.empty();
    if (manifest.isPresent()) {
      made = manifest.get().createdAt();
    } else {
      long newest = fs.getFileStatus(stage).getModificationTime();
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(stage, true);
      while (files.hasNext()) {
        newest = Math.max(newest, files.next().getModificationTime());
      }
      made = Instant.ofEpochMilli(newest);
    }
    return Duration.between(made, now).isNegative() ? Duration.ZERO : Duration.between(made, now);
  }

  private void deleteIfEmpty(Path folder) throws IOException {
    if (folder.equals(viewFolder) || !isUnderView(folder)) {
      return;
    }
    if (fs.exists(folder) && fs.listStatus(folder).length == 0) {
      fs.delete(folder, false);
    }
  }

  private void requireUnderView(Path path) {
    if (!isUnderView(path)) {
      throw new IllegalStateException(
          "Refusing to delete " + path + ": it is not under the view's stage folder " + viewFolder);
    }
  }

  private boolean isUnderView(Path path) {
    URI view = fs.makeQualified(viewFolder).toUri();
    URI candidate = fs.makeQualified(path).toUri();
    return java.util.Objects.equals(view.getScheme(), candidate.getScheme())
        && java.util.Objects.equals(view.getAuthority(), candidate.getAuthority())
        && candidate.getPath().startsWith(view.getPath() + "/");
  }

  /** Creates and deletes a probe file in the view's folder. */
  private void probe() {
    Path probe = new Path(viewFolder, "_sluice_probe_" + java.util.UUID.randomUUID());
    try {
      fs.mkdirs(viewFolder);
      write(probe, "");
      fs.delete(probe, false);
    } catch (IOException e) {
      throw failure("write", location, e);
    }
  }

  /**
   * A failure to use the location: exit 2 when it is the location's fault (missing bucket or
   * folder, access denied, a file where a folder should be), else an I/O failure worth retrying.
   */
  private static RuntimeException failure(String action, String where, IOException e) {
    String reason = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
    boolean userFault =
        e instanceof java.nio.file.AccessDeniedException
            || e instanceof FileNotFoundException
            || e instanceof org.apache.hadoop.fs.FileAlreadyExistsException
            || e instanceof org.apache.hadoop.fs.ParentNotDirectoryException
            || e instanceof org.apache.hadoop.security.AccessControlException
            || e.getClass().getSimpleName().equals("UnknownStoreException");
    String message =
        "Cannot "
            + action
            + " the staging location "
            + where
            + " ("
            + reason
            + "): "
            + (userFault
                ? "check batch_engine.staging_location (the bucket or folder must exist and be"
                    + " writable) and the credentials in batch_engine.spark_conf"
                    + " (spark.hadoop.fs.s3a.*)"
                : "the file system did not answer; the run can be retried");
    return userFault ? new InvalidUsageException(message, e) : new UncheckedIOException(message, e);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  /** A path segment: letters, digits and {@code . _ -} as they are, anything else %XX (UTF-8). */
  static String segment(String name) {
    StringBuilder out = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '_'
          || c == '-') {
        out.append(c);
      } else {
        out.append(String.format("%%%02X", b & 0xff));
      }
    }
    String segment = out.toString();
    // "." and ".." are not names; a leading "_" or "." would make Spark skip the folder.
    return segment.startsWith(".") || segment.startsWith("_")
        ? "%" + String.format("%02X", (int) segment.charAt(0)) + segment.substring(1)
        : segment;
  }

  /** {@code 20240501T000000Z}, with the fraction of a second when there is one. */
  static String folderTime(Instant instant) {
    String seconds = FOLDER_TIME.format(instant);
    int nanos = instant.getNano();
    if (nanos == 0) {
      return seconds + "Z";
    }
    String fraction = String.format("%09d", nanos).replaceAll("0+$", "");
    return seconds + "." + fraction + "Z";
  }

  /** The location without a {@code user:password@} part. */
  static String withoutSecrets(String location) {
    return location.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1");
  }
}
