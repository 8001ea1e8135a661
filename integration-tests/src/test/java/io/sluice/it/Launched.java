package io.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A launched command's exit code and output; its last stdout line is its JSON report. */
record Launched(int exitCode, String out, String err) {
  private static final ObjectMapper JSON = new ObjectMapper();

  JsonNode lastLine() throws Exception {
    String[] lines = out.strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\nstdout: " + out + "\nstderr: " + err;
  }
}
