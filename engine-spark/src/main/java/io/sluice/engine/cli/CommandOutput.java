package io.sluice.engine.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.engine.run.ExitCodes;
import io.sluice.engine.run.RunReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How commands end: one line of JSON, last on stdout (a run's report, or another command's result),
 * the error also on stderr, and the exit code returned.
 */
final class CommandOutput {
  private static final Logger LOG = LoggerFactory.getLogger(CommandOutput.class);

  private CommandOutput() {}

  /**
   * Prints a report as the last line on stdout, writes it to {@code reportFile} when given, and
   * returns its exit code.
   */
  static int report(RunReport report, Path reportFile, PrintWriter out, PrintWriter err) {
    String json = report.toJson();
    writeReportFile(reportFile, json, err);
    if (report.error() != null) {
      err.println("sluice: error: " + report.error());
    }
    out.println(json);
    out.flush();
    return report.exitCode();
  }

  /** Writes a command's JSON report to {@code reportFile} (when not null); a failure only warns. */
  static void writeReportFile(Path reportFile, String json, PrintWriter err) {
    if (reportFile == null) {
      return;
    }
    try {
      Path parent = reportFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(reportFile, json + System.lineSeparator());
    } catch (IOException e) {
      err.println("sluice: warning: cannot write report to " + reportFile + ": " + e);
    }
  }

  /** The exit code of a failed command; an unexpected failure (a bug) is logged with its trace. */
  static int exitCode(String command, Throwable failure) {
    int exitCode = ExitCodes.of(failure);
    if (exitCode == ExitCodes.UNEXPECTED) {
      LOG.error("Unexpected failure of {}", command, failure);
    }
    return exitCode;
  }

  /** What a JSON-printing command does: fills its result, or throws. */
  @FunctionalInterface
  interface JsonBody {
    void fill(ObjectNode result) throws Exception;
  }

  /** How a listing command shows its filled result to people. */
  @FunctionalInterface
  interface TextBody {
    void print(ObjectNode result, PrintWriter out);
  }

  /**
   * Runs a listing command: fills {@code result} once, then prints it as {@link #json} does when
   * {@code format} asks for JSON, or as text through {@code text}, rendered from the same result,
   * so the two never disagree. In text a failure prints only the error, on stderr. Returns the exit
   * code.
   */
  static int jsonOrText(
      CommandSpec spec,
      RepoOptions.Format format,
      ObjectNode result,
      JsonBody body,
      TextBody text) {
    if (format.json) {
      return json(spec, result, body);
    }
    try {
      body.fill(result);
    } catch (Exception e) {
      int exitCode = exitCode(spec.name(), e);
      spec.commandLine().getErr().println("sluice: error: " + ExitCodes.message(e));
      spec.commandLine().getErr().flush();
      return exitCode;
    }
    text.print(result, spec.commandLine().getOut());
    spec.commandLine().getOut().flush();
    return ExitCodes.SUCCESS;
  }

  /**
   * Runs a command that prints one JSON object as its last line: {@code status}, {@code exit_code}
   * and, on failure, {@code error} are added (the error also goes to stderr). Returns the exit
   * code.
   */
  static int json(CommandSpec spec, ObjectNode result, JsonBody body) {
    int exitCode;
    try {
      body.fill(result);
      result.put("status", RunReport.SUCCEEDED);
      exitCode = ExitCodes.SUCCESS;
    } catch (Exception e) { // Spark throws checked exceptions undeclared
      exitCode = exitCode(spec.name(), e);
      result.put("status", RunReport.FAILED).put("error", ExitCodes.message(e));
      spec.commandLine().getErr().println("sluice: error: " + ExitCodes.message(e));
    }
    result.put("exit_code", exitCode);
    spec.commandLine().getOut().println(result);
    spec.commandLine().getOut().flush();
    return exitCode;
  }
}
