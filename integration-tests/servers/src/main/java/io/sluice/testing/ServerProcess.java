package io.sluice.testing;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real server binary running in its own process on 127.0.0.1, owned by a test.
 *
 * <p>Tests never skip because a server is missing: {@link #requireBinary} fails with the command
 * that installs it ({@code .ci/run} installs every server the suite uses).
 */
public final class ServerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path logFile;

  private ServerProcess(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Starts {@code command} with its output in {@code logFile} and waits until {@code ready} says
   * so, failing with the server's log if it exits or is not ready within {@code timeout}.
   */
  public static ServerProcess start(
      String name, List<String> command, Path logFile, Duration timeout, BooleanSupplier ready) {
    return start(name, command, java.util.Map.of(), logFile, timeout, ready);
  }

  /** As {@link #start(String, List, Path, Duration, BooleanSupplier)}, with extra environment. */
  public static ServerProcess start(
      String name,
      List<String> command,
      java.util.Map<String, String> environment,
      Path logFile,
      Duration timeout,
      BooleanSupplier ready) {
    requireNonNull(name, "name is null");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    builder.redirectOutput(logFile.toFile());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name + ": " + command, e);
    }
    ServerProcess server = new ServerProcess(name, process, logFile);
    server.awaitReady(timeout, ready);
    return server;
  }

  /** Polls {@code ready} until it holds, the process dies, or the timeout passes. */
  private void awaitReady(Duration timeout, BooleanSupplier ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + " before it was ready:\n" + log());
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException(name + " not ready after " + timeout + ":\n" + log());
      }
      pause(Duration.ofMillis(50));
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** The server's output so far, for failure messages. */
  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile) : "";
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  /**
   * Kills the server and every process it started, children first seen before the kill, with
   * SIGKILL (no shutdown hooks run), and waits up to 10 s for each to be gone.
   */
  public void kill() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
      for (ProcessHandle descendant : descendants) {
        descendant.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Cannot kill " + name + " and its children", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while killing " + name, e);
    }
  }

  /** Stops the server: SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A TCP port on 127.0.0.1 that was free a moment ago. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find a free port", e);
    }
  }

  /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
  public static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The absolute path of a server binary: the first of {@code candidates} that is executable, or a
   * name found on the PATH. Fails (never skips) with the package that provides it.
   */
  public static String requireBinary(String debianPackage, String... candidates) {
    for (String candidate : candidates) {
      if (candidate.contains("/")) {
        if (new File(candidate).canExecute()) {
          return candidate;
        }
        continue;
      }
      String path = System.getenv().getOrDefault("PATH", "");
      for (String dir : path.split(File.pathSeparator)) {
        File file = new File(dir, candidate);
        if (file.canExecute()) {
          return file.getAbsolutePath();
        }
      }
    }
    throw new IllegalStateException(
        "Cannot find "
            + String.join(" or ", candidates)
            + ": this test needs a real server. Install it with `apt-get install -y "
            + debianPackage
            + "` (.ci/run installs every server the tests use).");
  }

  /** Runs a short command to completion, failing with its output if it exits non-zero. */
  public static String run(List<String> command, Duration timeout) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("Timed out after " + timeout + ": " + command);
      }
      String output = new String(process.getInputStream().readAllBytes());
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "Command failed with exit " + process.exitValue() + ": " + command + "\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running " + command, e);
    }
  }

  /** Whether the current user is root (servers such as PostgreSQL refuse to run as root). */
  public static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for a server", e);
    }
  }
}
