package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.engine.run.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a first-time user sees before any command runs: the usage, and the demo's folder check. */
class CommandLineUsageTest {
  private static final List<String> COMMANDS =
      List.of(
          "apply",
          "materialize",
          "materialize-incremental",
          "backfill",
          "intervals",
          "views",
          "runs",
          "read",
          "demo");

  @TempDir Path dir;

  @Test
  void bareSluiceAndHelpNameEveryCommandInTheUsageLine() {
    CommandResult bare = CommandResult.run();
    assertThat(bare.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(bare.err())
        .startsWith("Missing command: use one of " + String.join(", ", COMMANDS) + "\n");

    CommandResult help = CommandResult.run("--help");
    assertThat(help.exitCode()).isZero();
    // The usage line (picocli wraps it), with every command, in both.
    String usage = "Usage: sluice [-hV] (" + String.join(" | ", COMMANDS) + ")";
    for (String output : List.of(bare.err(), help.out())) {
      String firstParagraph = output.substring(output.indexOf("Usage: "));
      firstParagraph = firstParagraph.substring(0, firstParagraph.indexOf("\nMaterializes"));
      assertThat(firstParagraph.replaceAll("\\s+", " ")).isEqualTo(usage);
    }
    for (String command : COMMANDS) {
      assertThat(help.out()).containsPattern("(?m)^  " + command + " ");
    }
  }

  @Test
  void demoInAMissingFolderSaysSoWithoutHintingConfig() {
    Path missing = dir.resolve("no-such-demo");
    CommandResult result = CommandResult.run("demo", "--dir", missing.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err())
        .contains(
            "sluice: error: Cannot run the demo in "
                + missing
                + ": no such folder; pass --dir <the demo's folder, with feature_store.yaml and"
                + " definitions.yaml>, such as conf/demo in Sluice's source tree")
        .doesNotContain("--config");
  }

  @Test
  void demoInAFolderWithoutItsDefinitionsNamesTheMissingFile() throws Exception {
    Files.copy(Path.of("../conf/demo/feature_store.yaml"), dir.resolve("feature_store.yaml"));
    CommandResult result = CommandResult.run("demo", "--dir", dir.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.err())
        .contains("Cannot run the demo in " + dir + ": it has no definitions.yaml; pass --dir")
        .doesNotContain("--config");
    assertThat(dir.resolve("data")).doesNotExist();
  }
}
