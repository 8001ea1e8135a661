package io.sluice.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A dynalite server (a DynamoDB API implementation in Node.js over an in-memory store) on a free
 * loopback port, for the DynamoDB store's tests.
 *
 * <p>Why dynalite: DynamoDB Local's licence is the vendor's own terms, which this project does not
 * accept for its build; dynalite ({@code npm} package {@code dynalite} {@value #VERSION}, Apache
 * 2.0) is open source, needs only Node.js, and starts in well under a second. It implements the
 * calls the store uses (CreateTable with on-demand billing, DescribeTable, PutItem with condition
 * expressions, GetItem, BatchWriteItem) and enforces the 400 KB item limit. Known gaps: it does not
 * keep the {@code Tags} of CreateTable (only TagResource's), and it has no {@code
 * ReturnValuesOnConditionCheckFailure}; the store relies on neither.
 *
 * <p>dynalite is installed with npm into {@code ~/.cache/sluice/dynalite} when missing ({@code
 * .ci/test} installs it up front); the folder can be moved with {@code -Dsluice.dynalite.dir}.
 */
public final class DynaliteServer implements AutoCloseable {
  public static final String VERSION = "4.0.0";

  private final ServerProcess process;
  private final int port;
  private final Path dir;

  private DynaliteServer(ServerProcess process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts dynalite in memory on a free port (installing it first if needed). */
  public static DynaliteServer start() {
    String node = ServerProcess.requireBinary("nodejs", "node");
    Path cli = install();
    Path dir = TempDirs.create("dynalite");
    int port = ServerProcess.freePort();
    ServerProcess process =
        ServerProcess.start(
            "dynalite:" + port,
            List.of(node, cli.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port)),
            dir.resolve("dynalite.log"),
            Duration.ofSeconds(30),
            () -> ServerProcess.accepts(port));
    return new DynaliteServer(process, port, dir);
  }

  /** {@code http://127.0.0.1:<port>}, for {@code endpoint_url}. */
  public String endpointUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The server process's CPU time so far (benchmarks report server CPU per row). */
  public java.time.Duration cpuTime() {
    return ProcessHandle.of(process.pid())
        .flatMap(handle -> handle.info().totalCpuDuration())
        .orElseThrow(() -> new IllegalStateException("No CPU time for dynalite " + port));
  }

  @Override
  public void close() {
    process.close();
    TempDirs.delete(dir);
  }

  /** The folder dynalite is installed in. */
  public static Path installDir() {
    String configured = System.getProperty("sluice.dynalite.dir");
    return configured != null
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "sluice", "dynalite");
  }

  /** dynalite's {@code cli.js}, installed with {@code npm install --prefix} when missing. */
  static synchronized Path install() {
    Path dir = installDir();
    Path cli = dir.resolve("node_modules/dynalite/cli.js");
    if (Files.isRegularFile(cli) && installedVersion(dir).equals(VERSION)) {
      return cli;
    }
    String npm = ServerProcess.requireBinary("npm", "npm");
    ServerProcess.run(
        List.of(
            npm,
            "install",
            "--prefix",
            dir.toString(),
            "--no-audit",
            "--no-fund",
            "--omit=dev",
            "dynalite@" + VERSION),
        Duration.ofMinutes(5));
    if (!Files.isRegularFile(cli)) {
      throw new IllegalStateException("npm installed dynalite, but " + cli + " is missing");
    }
    return cli;
  }

  private static String installedVersion(Path dir) {
    try {
      String json = Files.readString(dir.resolve("node_modules/dynalite/package.json"));
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
      return m.find() ? m.group(1) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
