package io.sluice.engine.cli;

import io.sluice.engine.run.ExitCodes;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} command line, run by {@code submit/bin/sluice} or {@code spark-submit --class
 * io.sluice.engine.cli.SluiceMain}. Exit codes: 0 success, 2 usage or configuration, 3 bad input
 * data, 4 infrastructure failure worth retrying, 143 (130) stopped by SIGTERM (SIGINT), 1 anything
 * unexpected (see {@link ExitCodes}).
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceMain.Version.class,
    description = "Materializes Feast feature views into online stores with Apache Spark.",
    subcommands = {
      ApplyCommand.class,
      MaterializeCommand.class,
      MaterializeIncrementalCommand.class,
      BackfillCommand.class,
      IntervalsCommand.class,
      ViewsCommand.class,
      RunsCommand.class,
      ReadCommand.class,
      DemoCommand.class
    },
    exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.UNEXPECTED,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "2:bad usage or configuration",
      "3:bad input data (missing column, wrong type)",
      "4:infrastructure failure worth retrying (store or registry unreachable)",
      "143:stopped by SIGTERM (130: by SIGINT) before the run completed; no interval recorded",
      "1:unexpected failure"
    })
public final class SluiceMain implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int exitCode = run(args);
    // Stop Spark cleanly, then exit with the code. In YARN cluster mode the application master
    // marks an application that calls System.exit before main returns as failed even with 0, so
    // success there simply returns (the exit code and stdout reach a caller only in client mode).
    // After SIGTERM or SIGINT during a run the signal's handler has left the exit to this thread
    // (StopOnSignal): the code is the report's, 128 + the signal's number for a stopped run.
    org.apache.spark.sql.SparkSession.getDefaultSession()
        .foreach(
            session -> {
              session.stop();
              return null;
            });
    boolean clusterMode = "cluster".equals(System.getProperty("spark.submit.deployMode"));
    if (exitCode != 0 || !clusterMode) {
      System.exit(exitCode);
    }
  }

  /** Runs the command line and returns its exit code (without exiting). */
  public static int run(String... args) {
    return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true))
        .execute(args);
  }

  /** Runs the command line with its output going to {@code out} and {@code err}. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return commandLine(out, err).execute(args);
  }

  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new SluiceMain());
    commandLine.setOut(out);
    commandLine.setErr(err);
    // The usage line names every command, from the list above, so it cannot fall behind it.
    commandLine
        .getCommandSpec()
        .usageMessage()
        .synopsisSubcommandLabel("(" + String.join(" | ", commandNames(commandLine)) + ")");
    return commandLine;
  }

  private static java.util.List<String> commandNames(CommandLine commandLine) {
    return java.util.List.copyOf(commandLine.getSubcommands().keySet());
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "Missing command: use one of " + String.join(", ", commandNames(spec.commandLine())));
  }

  /** The version from the jar's manifest, when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SluiceMain.class.getPackage().getImplementationVersion();
      return new String[] {"sluice " + (version == null ? "(development build)" : version)};
    }
  }
}
