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
  static final String LAST_USED = "_sluice_last_used";
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
      URI uri = new URI(shown.endsWith("/") ? shown : shown + "/");
      if (uri.getScheme() == null) {
        throw new InvalidConfigException(
            "Invalid batch_engine.staging_location "
                + shown
                + ": it needs a scheme, e.g. s3a://bucket/prefix, hdfs://namenode/path or"
                + " file:///absolute/path");
      }
      base = new Path(uri);
    } catch (URISyntaxException e) {
      // The reason only: the exception's own text repeats the input.
      throw new InvalidConfigException(
          "Invalid batch_engine.staging_location " + shown + ": " + e.getReason(), e);
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
    } catch (RuntimeException e) {
      // Hadoop's file systems refuse what they cannot use with IllegalArgumentException and the
      // like (S3A: keys in the URI; "Wrong FS"): the location's fault.
      throw new InvalidUsageException(
          "Cannot use the staging location "
              + shown
              + " ("
              + e.getClass().getSimpleName()
              + ": "
              + withoutSecrets(firstLine(e.getMessage()))
              + "): check batch_engine.staging_location",
          e);
    }
    // Qualified (scheme and authority filled in), so a stage's path reads the same whether built
    // here or listed, as the registry stores it.
    base = fs.makeQualified(base);
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
   * What a stage must match to stand for this run's rows: the reduction's version, the view's
   * reduced layout ({@code name:FEAST_TYPE}) and the batch source's definition (kind, path, table
   * or query, format, timestamp columns, field mapping, date partitions), each as text.
   */
  public record Fingerprint(List<String> layout, String sourceDefinition) {
    public Fingerprint {
      layout = List.copyOf(layout);
      requireNonNull(sourceDefinition, "sourceDefinition is null");
    }
  }

  /**
   * The runs of this view still RUNNING: a stage one of them made ({@code runIds}, the folder's
   * name) or resumed from ({@code stages}) is in use, and never chosen, expired or deleted by
   * another run.
   */
  public record InUse(java.util.Set<String> runIds, java.util.Set<String> stages) {
    public InUse {
      runIds = java.util.Set.copyOf(runIds);
      stages = java.util.Set.copyOf(stages);
    }

    public static InUse none() {
      return new InUse(java.util.Set.of(), java.util.Set.of());
    }

    public boolean uses(Path stage) {
      return runIds.contains(stage.getName()) || stages.contains(stage.toString());
    }
  }

  /**
   * Picks, newest first, the first of {@code complete} that no running run uses, with the same
   * {@code fingerprint}, every listed file present at its size, and the {@code current} source
   * description.
   *
   * <p>When the source's path is gone ({@code current} null, {@code missing} the reason: its folder
   * was moved or deleted), only a stage whose own run failed after staging, with no run succeeded
   * from it since ({@code failedStaged} says which), and whose source was described stands for it:
   * that run's rows as the source had them, which is what resuming a failed write is for; the
   * report says so. A kept stage of a run that succeeded is never used for a source that is gone:
   * whoever removed the source may have meant its rows to go.
   */
  public Choice choose(
      List<Stage> complete,
      Fingerprint fingerprint,
      SourceDescription current,
      String missing,
      InUse inUse,
      java.util.function.Predicate<Stage> failedStaged) {
    List<String> notReused = new ArrayList<>();
    for (Stage stage : complete) {
      StageManifest manifest = stage.manifest();
      String why = mismatch(stage, fingerprint, inUse);
      if (why == null && current == null) {
        if (!manifest.source().describable() || !failedStaged.test(stage)) {
          why =
              "the source cannot be read now ("
                  + missing
                  + "), and this stage is not that of a run that failed after staging";
        } else {
          return new Choice(
              stage,
              "the source cannot be read now ("
                  + missing
                  + "); resumed from the stage of run "
                  + manifest.runId()
                  + ", which failed after staging: it holds the window as the source had it then",
              notReused);
        }
      }
      if (why == null) {
        why = current.differenceFrom(manifest.source());
      }
      if (why == null) {
        return new Choice(stage, null, notReused);
      }
      notReused.add(stage.folder() + ": " + why);
    }
    return Choice.none(notReused);
  }

  /** Why {@code stage} cannot be used whatever the source says, or null. */
  private String mismatch(Stage stage, Fingerprint fingerprint, InUse inUse) {
    StageManifest manifest = stage.manifest();
    if (inUse.uses(stage.folder())) {
      return "in use by a run that is still RUNNING";
    }
    if (manifest.reduction() != StageManifest.REDUCTION) {
      return "made by another version of the reduction (" + manifest.reduction() + ")";
    }
    if (!manifest.layout().equals(fingerprint.layout())) {
      return "the view's columns changed since it was staged ("
          + String.join(", ", manifest.layout())
          + " then, "
          + String.join(", ", fingerprint.layout())
          + " now)";
    }
    if (!fingerprint.sourceDefinition().equals(manifest.sourceDefinition())) {
      return "the batch source's definition changed since it was staged ("
          + manifest.sourceDefinition()
          + " then, "
          + fingerprint.sourceDefinition()
          + " now)";
    }
    try {
      java.util.Map<String, Long> sizes = new java.util.HashMap<>();
      for (FileStatus file : fs.listStatus(stage.folder())) {
        sizes.put(file.getPath().getName(), file.getLen());
      }
      for (StageManifest.StagedFile file : manifest.files()) {
        Long size = sizes.get(file.name());
        if (size == null || size != file.size()) {
          return "its file "
              + file.name()
              + (size == null ? " is gone" : " has " + size + " bytes, not " + file.size());
        }
      }
    } catch (IOException e) {
      throw failure("list", stage.folder().toString(), e);
    }
    return null;
  }

  /**
   * Records that a run uses {@code stage} now: its age for expiry counts from here. Best effort (a
   * WARN line when the folder cannot be written): the stage can still be read.
   */
  public void touch(Stage stage) {
    try (FSDataOutputStream out = fs.create(new Path(stage.folder(), LAST_USED), true)) {
      out.write(java.time.Instant.now().toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot record the use of stage {}: {}", stage.folder(), e.toString());
    }
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

  /**
   * Deletes one stage folder of this view, its marker first (so a delete cut short never leaves a
   * complete-looking stage with files missing); false (and a WARN line) when it cannot. Never
   * throws: clean-up never fails a run.
   */
  public boolean delete(Path stage) {
    try {
      requireUnderView(stage);
      fs.delete(new Path(stage, MARKER), false);
      boolean deleted = fs.delete(stage, true);
      deleteIfEmpty(stage.getParent());
      return deleted;
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot delete stage {}: {}", stage, e.toString());
      return false;
    }
  }

  /**
   * Deletes the stages of every window of this view older than {@code retention} at {@code now}
   * that no running run uses ({@link #age}). Returns how many were deleted. Failures are logged,
   * not thrown: clean-up never fails a run.
   */
  public int deleteExpired(Duration retention, Instant now, InUse inUse) {
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
              && !inUse.uses(stage.getPath())
              && age(stage.getPath(), now).compareTo(retention) > 0
              && delete(stage.getPath())) {
            LOG.info("Deleted stage {}: older than {}", stage.getPath(), retention);
            deleted++;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot clean up the stages under {}: {}", viewFolder, e.toString());
    }
    return deleted;
  }

  /**
   * How old a stage is: from its last use ({@link #touch}) or else its manifest's time when
   * complete, else from its newest file (a directory's own time is not used: S3A makes it up). A
   * folder with no file at all counts as infinitely old; a running run's is never aged (see {@link
   * InUse}).
   */
  public Duration age(Path stage, Instant now) throws IOException {
    Instant made = Instant.EPOCH;
    Optional<StageManifest> manifest =
        fs.exists(new Path(stage, MARKER)) ? readManifest(stage) : Optional.empty();
    if (manifest.isPresent()) {
      made = manifest.get().createdAt();
    }
    long newest = Long.MIN_VALUE;
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(stage, true);
    while (files.hasNext()) {
      LocatedFileStatus file = files.next();
      if (manifest.isEmpty() || file.getPath().getName().equals(LAST_USED)) {
        newest = Math.max(newest, file.getModificationTime());
      }
    }
    if (newest != Long.MIN_VALUE && Instant.ofEpochMilli(newest).isAfter(made)) {
      made = Instant.ofEpochMilli(newest);
    }
    Duration age = Duration.between(made, now);
    return age.isNegative() ? Duration.ZERO : age;
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

  /**
   * The location without a {@code user:password@} part of its authority (up to the first {@code /}
   * after the scheme). A bare name before {@code @} without a colon stays: it is a user or an Azure
   * container, not a secret.
   */
  static String withoutSecrets(String location) {
    if (location == null) {
      return null;
    }
    int scheme = location.indexOf("://");
    if (scheme < 0) {
      return location;
    }
    String rest = location.substring(scheme + 3);
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    int at = authority.lastIndexOf('@');
    if (at < 0 || !authority.substring(0, at).contains(":")) {
      return location;
    }
    return location.substring(0, scheme + 3) + rest.substring(at + 1);
  }
}
