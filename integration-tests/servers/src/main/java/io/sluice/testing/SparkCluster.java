package io.sluice.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster on 127.0.0.1: one master and one or more workers, each in its own
 * JVM, from a SPARK_HOME made of the Maven Spark jars by {@code submit/dev/fake-spark-home} (no
 * Spark distribution can be downloaded here). Ready when the master reports every worker alive.
 * Each worker has its own work folder ({@code work-<index>}), where it puts the folders of the
 * executors and cluster-mode drivers it runs, and its own log ({@code worker-<index>.log}).
 */
public final class SparkCluster implements AutoCloseable {
  private final Path dir;
  private final Path sparkHome;
  private final int masterPort;
  private final int masterUi;
  private final ServerProcess master;
  private final List<ServerProcess> workers;

  private SparkCluster(
      Path dir,
      Path sparkHome,
      int masterPort,
      int masterUi,
      ServerProcess master,
      List<ServerProcess> workers) {
    this.dir = dir;
    this.sparkHome = sparkHome;
    this.masterPort = masterPort;
    this.masterUi = masterUi;
    this.master = master;
    this.workers = List.copyOf(workers);
  }

  /** Starts a master and a worker with {@code cores} cores and {@code memory} (e.g. "4g"). */
  public static SparkCluster start(Path dir, int cores, String memory) {
    return start(dir, 1, cores, memory);
  }

  /**
   * Starts a master and {@code workers} workers, each its own JVM with {@code coresPerWorker} cores
   * and {@code memory} (e.g. "2g") to give to executors and drivers.
   */
  public static SparkCluster start(Path dir, int workers, int coresPerWorker, String memory) {
    if (workers < 1) {
      throw new IllegalArgumentException("Invalid worker count " + workers + ": must be >= 1");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Path root = repositoryRoot();
    Path sparkHome = dir.resolve("spark-home");
    ServerProcess.run(
        List.of(root.resolve("submit/dev/fake-spark-home").toString(), sparkHome.toString()),
        Duration.ofMinutes(10));
    int masterPort = ServerProcess.freePort();
    int masterUi = ServerProcess.freePort();
    ServerProcess master =
        ServerProcess.start(
            "spark-master",
            java(
                sparkHome,
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(masterPort),
                "--webui-port",
                Integer.toString(masterUi)),
            environment(sparkHome),
            dir.resolve("master.log"),
            Duration.ofSeconds(60),
            () -> ServerProcess.accepts(masterPort));
    List<ServerProcess> started = new ArrayList<>();
    try {
      for (int index = 0; index < workers; index++) {
        int alive = index + 1;
        started.add(
            ServerProcess.start(
                "spark-worker-" + index,
                java(
                    sparkHome,
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--cores",
                    Integer.toString(coresPerWorker),
                    "--memory",
                    memory,
                    "--webui-port",
                    Integer.toString(ServerProcess.freePort()),
                    "--work-dir",
                    workDir(dir, index).toString(),
                    "spark://127.0.0.1:" + masterPort),
                environment(sparkHome),
                dir.resolve("worker-" + index + ".log"),
                Duration.ofSeconds(60),
                () -> aliveWorkers(masterUi) >= alive));
      }
      return new SparkCluster(dir, sparkHome, masterPort, masterUi, master, started);
    } catch (RuntimeException e) {
      started.forEach(ServerProcess::close);
      master.close();
      throw e;
    }
  }

  public String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  public Path sparkHome() {
    return sparkHome;
  }

  public int workerCount() {
    return workers.size();
  }

  /**
   * The worker's work folder: one folder per application ({@code app-…/<executor id>}) and per
   * cluster-mode driver ({@code driver-…}, with the driver's stdout and stderr).
   */
  public Path workDir(int worker) {
    checkWorker(worker);
    return workDir(dir, worker);
  }

  /** Whether the worker's JVM is running. */
  public boolean isWorkerAlive(int worker) {
    checkWorker(worker);
    return workers.get(worker).isAlive();
  }

  /** The workers the master reports alive (0 while it is not answering). */
  public int aliveWorkers() {
    return aliveWorkers(masterUi);
  }

  /**
   * Kills the worker's JVM and everything it started (its executors and cluster-mode drivers) with
   * SIGKILL, as a machine that dies would, and waits until they are gone. The master learns of it
   * when the connection drops.
   */
  public void killWorker(int worker) {
    checkWorker(worker);
    workers.get(worker).kill();
  }

  @Override
  public void close() {
    workers.forEach(ServerProcess::close);
    master.close();
  }

  private void checkWorker(int worker) {
    if (worker < 0 || worker >= workers.size()) {
      throw new IllegalArgumentException(
          "Invalid worker " + worker + ": the cluster has " + workers.size());
    }
  }

  private static Path workDir(Path dir, int worker) {
    return dir.resolve("work-" + worker);
  }

  /**
   * What a distribution's sbin scripts export (load-spark-env.sh): the worker builds executor
   * command lines from SPARK_HOME's jars/ and needs the Scala version to do so.
   */
  private static Map<String, String> environment(Path sparkHome) {
    return Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.12");
  }

  private static List<String> java(Path sparkHome, String mainClass, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JavaProcess.moduleOpens());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(sparkHome.resolve("jars") + "/*");
    command.add(mainClass);
    command.addAll(List.of(arguments));
    return command;
  }

  /** Alive workers, from the master's JSON status page (0 while it is not answering). */
  private static int aliveWorkers(int masterUi) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUi + "/json/"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      java.util.regex.Matcher alive =
          java.util.regex.Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)")
              .matcher(response.body());
      return alive.find() ? Integer.parseInt(alive.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** The source tree's root: the nearest folder above the working directory with submit/dev. */
  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isExecutable(dir.resolve("submit/dev/fake-spark-home"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "Cannot find submit/dev/fake-spark-home above " + Path.of("").toAbsolutePath());
  }
}
