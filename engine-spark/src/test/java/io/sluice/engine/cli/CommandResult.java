package io.sluice.engine.cli;

import io.sluice.engine.run.RunReport;
import java.io.PrintWriter;
import java.io.StringWriter;

/** One command run in this JVM: its exit code, stdout and stderr. */
record CommandResult(int exitCode, String out, String err) {
  static CommandResult run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        SluiceMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
            .execute(args);
    return new CommandResult(exitCode, out.toString(), err.toString());
  }

  /** The last line on stdout. */
  String lastLine() {
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1];
  }

  RunReport report() {
    return RunReport.fromJson(lastLine());
  }
}
