package io.sluice.benchmark.performance;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The optional peer: Feast's own {@code feast materialize} over the same Parquet into the same
 * Redis, from a Feast repo written here (a file source, the same entity and view), timed as a
 * process from start to exit. Used only when a {@code feast} command is on the PATH.
 */
final class FeastPeer {
  private FeastPeer() {}

  static Optional<Path> find() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path feast = Path.of(dir, "feast");
      if (Files.isExecutable(feast)) {
        return Optional.of(feast);
      }
    }
    return Optional.empty();
  }

  /** Wall seconds of {@code feast materialize START END} (after {@code feast apply}, untimed). */
  static double materialize(Path feast, Path dir, DataSet data, int redisPort) {
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("feature_store.yaml"),
          "project: bench\nprovider: local\nregistry: "
              + dir.resolve("registry.db").toAbsolutePath()
              + "\nonline_store: {type: redis, connection_string: \"127.0.0.1:"
              + redisPort
              + "\"}\noffline_store: {type: file}\nentity_key_serialization_version: 3\n");
      StringBuilder fields = new StringBuilder();
      for (int f = 0; f < data.features(); f++) {
        fields.append("        Field(name=\"f").append(f).append("\", dtype=Float32),\n");
      }
      Files.writeString(
          dir.resolve("repo.py"),
          "from datetime import timedelta\n"
              + "from feast import Entity, FeatureView, Field, FileSource, ValueType\n"
              + "from feast.types import Float32\n\n"
              + "driver = Entity(name=\"driver\", join_keys=[\"driver_id\"],"
              + " value_type=ValueType.INT64)\n"
              + "rows = FileSource(name=\"rows\", path=\""
              + data.dir().toAbsolutePath()
              + "\", timestamp_field=\"ts\")\n"
              + "stats = FeatureView(\n    name=\"stats\",\n    entities=[driver],\n"
              + "    ttl=timedelta(days=365),\n    online=True,\n    source=rows,\n    schema=[\n"
              + fields
              + "    ],\n)\n");
      run(List.of(feast.toString(), "apply"), dir, "feast apply");
      long start = System.nanoTime();
      run(
          List.of(
              feast.toString(),
              "materialize",
              SluiceLauncher.START.replace("Z", ""),
              SluiceLauncher.END.replace("Z", "")),
          dir,
          "feast materialize");
      return (System.nanoTime() - start) / 1e9;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run feast in " + dir, e);
    }
  }

  private static void run(List<String> command, Path dir, String what) throws IOException {
    Path log = dir.resolve(what.replace(' ', '-') + ".log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      if (!process.waitFor(60, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(what + " failed:\n" + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted in " + what, e);
    }
  }
}
