package io.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.testing.SparkCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo command, as a user runs it: {@code submit/bin/sluice demo}, in local mode and
 * through spark-submit (a SPARK_HOME made of the Maven Spark jars by {@code
 * submit/dev/fake-spark-home}, since no Spark distribution can be downloaded here). Needs the
 * application jar that {@code mvn verify} packages in submit/ before this module runs.
 */
@Timeout(600)
class LauncherDemoTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private Path demoCopy() throws IOException {
    Path demo = Files.createDirectories(dir.resolve("demo"));
    for (String file : List.of("feature_store.yaml", "definitions.yaml")) {
      Files.copy(ROOT.resolve("conf/demo").resolve(file), demo.resolve(file));
    }
    return demo;
  }

  private static String[] run(Map<String, String> environment, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
    builder.environment().remove("SPARK_HOME");
    builder.environment().putAll(environment);
    Path out = Files.createTempFile("sluice-launcher", ".out");
    Path err = Files.createTempFile("sluice-launcher", ".err");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(8, TimeUnit.MINUTES)).as("finished in time").isTrue();
    return new String[] {
      Integer.toString(process.exitValue()), Files.readString(out), Files.readString(err)
    };
  }

  private static void assertDemoOutput(String[] result) throws Exception {
    assertThat(result[0]).as(result[2]).isEqualTo("0");
    String out = result[1];
    assertThat(out)
        .contains("Generated 24000 rows of driver statistics")
        .contains(
            "Materialized driver_hourly_stats for [2024-05-01T00:00:00Z, 2024-05-02T00:00:00Z):"
                + " 12000 rows read, 12 dropped, 500 written, 0 skipped as not newer")
        .contains("Read back from the online store")
        .contains("{\"driver_id\":1001}  event_timestamp=2024-05-02T");
    String[] lines = out.strip().split("\n");
    JsonNode summary = JSON.readTree(lines[lines.length - 1]);
    assertThat(summary.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(summary.get("online_values").get(2).get("values").get("avg_daily_trips").isNumber())
        .isTrue();
    // Logs go to stderr only; stdout is the command's output.
    assertThat(out).doesNotContain(" INFO ").doesNotContain(" WARN ");
  }

  @Test
  void demoRunsInLocalModeFromAnyFolder() throws Exception {
    Path demo = demoCopy();
    assertDemoOutput(
        run(
            Map.of(),
            ROOT.resolve("submit/bin/sluice").toString(),
            "demo",
            "--dir",
            demo.toString()));
  }

  @Test
  void theFirstMaterializingRunWritesAClassDataArchiveThatLaterRunsStartFrom() throws Exception {
    Path cds = dir.resolve("cds");
    String launcher = ROOT.resolve("submit/bin/sluice").toString();
    Map<String, String> verbose = Map.of("SLUICE_CDS_DIR", cds.toString(), "SLUICE_VERBOSE", "1");

    // A command that runs no Spark job never writes the archive.
    String[] help = run(verbose, launcher, "--help");
    assertThat(help[0]).as(help[2]).isEqualTo("0");
    assertThat(help[2]).doesNotContain("-XX:ArchiveClassesAtExit").doesNotContain("SharedArchive");

    String[] first = run(verbose, launcher, "demo", "--dir", demoCopy().toString());
    assertDemoOutput(first);
    assertThat(first[2]).contains("this first run also writes a class-data sharing archive");
    List<Path> archives;
    try (var files = Files.list(cds)) {
      archives = files.toList();
    }
    assertThat(archives).as("one archive, no temporary file left").hasSize(1);
    Path archive = archives.get(0);
    assertThat(archive.getFileName().toString()).matches("sluice-\\d+\\.jsa");

    String[] later = run(verbose, launcher, "--help");
    assertThat(later[0]).as(later[2]).isEqualTo("0");
    assertThat(later[2]).contains("-XX:SharedArchiveFile=" + archive);

    // The JVM maps the archive for the launcher's class path (-Xshare:on fails when it cannot),
    // and refuses it for another one, so a stale archive is never used.
    String classPath = appJar() + ":" + ROOT.resolve("submit/target/spark-jars") + "/*";
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String share = "-XX:SharedArchiveFile=" + archive;
    String[] mapped = run(Map.of(), java, "-Xshare:on", share, "-cp", classPath, "-version");
    assertThat(mapped[0]).as(mapped[2]).isEqualTo("0");
    String[] other =
        run(
            Map.of(),
            java,
            "-Xshare:on",
            share,
            "-cp",
            ROOT.resolve("submit/target/spark-jars") + "/*",
            "-version");
    assertThat(other[0]).as(other[2]).isNotEqualTo("0");

    String[] off =
        run(
            Map.of("SLUICE_CDS_DIR", cds.toString(), "SLUICE_VERBOSE", "1", "SLUICE_CDS", "0"),
            launcher,
            "--help");
    assertThat(off[0]).as(off[2]).isEqualTo("0");
    assertThat(off[2]).doesNotContain("SharedArchiveFile").doesNotContain("ArchiveClassesAtExit");
  }

  /** The application jar the launcher runs: the newest submit/target/sluice-*.jar. */
  private static Path appJar() throws IOException {
    try (var files = Files.list(ROOT.resolve("submit/target"))) {
      return files
          .filter(file -> file.getFileName().toString().matches("sluice-.*\\.jar"))
          .max(java.util.Comparator.comparing(file -> file.toFile().lastModified()))
          .orElseThrow();
    }
  }

  @Test
  void demoRunsThroughSparkSubmit() throws Exception {
    Path sparkHome = dir.resolve("spark-home");
    String[] made =
        run(Map.of(), ROOT.resolve("submit/dev/fake-spark-home").toString(), sparkHome.toString());
    assertThat(made[0]).as(made[2]).isEqualTo("0");
    Path demo = demoCopy();
    assertDemoOutput(
        run(
            Map.of("SPARK_HOME", sparkHome.toString(), "SLUICE_SUBMIT_ARGS", "--master local[2]"),
            ROOT.resolve("submit/bin/sluice").toString(),
            "demo",
            "--dir",
            demo.toString()));
  }

  @Test
  void sqliteStoreIsRefusedOnAClusterWithExitCode2() throws Exception {
    try (SparkCluster cluster = SparkCluster.start(dir.resolve("cluster"), 1, "2g")) {
      Path demo = demoCopy();
      String[] result =
          run(
              Map.of(
                  "SPARK_HOME",
                  cluster.sparkHome().toString(),
                  "SLUICE_SUBMIT_ARGS",
                  "--master " + cluster.masterUrl()),
              ROOT.resolve("submit/bin/sluice").toString(),
              "demo",
              "--dir",
              demo.toString());
      assertThat(result[0]).as(result[1] + result[2]).isEqualTo("2");
      String[] lines = result[1].strip().split("\n");
      JsonNode summary = JSON.readTree(lines[lines.length - 1]);
      assertThat(summary.get("error").asText())
          .contains("from Spark master " + cluster.masterUrl())
          .contains("The sqlite online store needs Spark's local mode")
          .contains("use an online store on a server (redis, dynamodb)");
    }
  }
}
