package io.sluice.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM running a test's main class on the test's own classpath, for tests where racing
 * processes (not threads) matter. The child talks over its standard streams: it prints a line such
 * as {@code READY} when it is set up and waits for a line on its input, so a test can start many
 * children and release them at once without sleeping.
 */
public final class JavaProcess implements AutoCloseable {
  private final Process process;
  private final BufferedReader output;
  private final StringBuilder transcript = new StringBuilder();

  private JavaProcess(Process process) {
    this.process = process;
    this.output =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts {@code mainClass} with {@code arguments}; standard error joins standard output. */
  public static JavaProcess start(Class<?> mainClass, List<String> arguments) {
    return start(mainClass, List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"), arguments);
  }

  /** Starts {@code mainClass} with JVM options and arguments, with the JVM's module opens. */
  public static JavaProcess start(
      Class<?> mainClass, List<String> jvmOptions, List<String> arguments) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(moduleOpens());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(arguments);
    try {
      return new JavaProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command, e);
    }
  }

  /** The parent JVM's module opens (Spark's Java 17 flags), which a Spark child needs too. */
  static List<String> moduleOpens() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(
            argument ->
                argument.startsWith("--add-opens")
                    || argument.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                    || argument.startsWith("-Djdk.reflect"))
        .toList();
  }

  /** Reads the child's output until a line equal to {@code line}; fails if the child ends first. */
  public void awaitLine(String line) {
    try {
      String read;
      while ((read = output.readLine()) != null) {
        transcript.append(read).append('\n');
        if (read.equals(line)) {
          return;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(
        "Child process ended before printing " + line + ":\n" + transcript);
  }

  /** Sends one line to the child's standard input. */
  public void send(String line) {
    try {
      OutputStream input = process.getOutputStream();
      input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      input.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits for the child to exit and returns its remaining output; fails with that output if it
   * exits non-zero or runs past {@code timeout}.
   */
  public String awaitSuccess(Duration timeout) {
    try {
      String read;
      while ((read = output.readLine()) != null) {
        transcript.append(read).append('\n');
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("Child process timed out:\n" + transcript);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "Child process exited with " + process.exitValue() + ":\n" + transcript);
    }
    return transcript.toString();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
