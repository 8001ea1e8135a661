package io.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * A real S3-compatible server (Adobe S3Mock) in its own JVM on a free loopback port, with the
 * buckets it is started with, storing objects in a temporary folder. The build copies its
 * executable jar (see this module's pom); it runs in its own JVM because in-process it clashes with
 * Spark's log4j and Jackson.
 */
public final class S3MockServer implements AutoCloseable {
  private final ServerProcess process;
  private final int port;
  private final Path dir;

  private S3MockServer(ServerProcess process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a server with these buckets (at least one). */
  public static S3MockServer start(String... buckets) {
    if (buckets.length == 0) {
      throw new IllegalArgumentException("S3Mock needs at least one bucket");
    }
    Path jar = jar();
    Path dir = TempDirs.create("s3mock");
    int port = ServerProcess.freePort();
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-jar",
            jar.toString(),
            "--com.adobe.testing.s3mock.httpPort=" + port,
            "--server.port=" + ServerProcess.freePort(),
            "--server.address=127.0.0.1",
            "--com.adobe.testing.s3mock.store.initialBuckets=" + String.join(",", buckets),
            "--com.adobe.testing.s3mock.store.root=" + dir.resolve("store"),
            "--com.adobe.testing.s3mock.store.retainFilesOnExit=false");
    ServerProcess process =
        ServerProcess.start(
            "s3mock",
            command,
            dir.resolve("s3mock.log"),
            Duration.ofSeconds(60),
            () -> ServerProcess.accepts(port));
    return new S3MockServer(process, port, dir);
  }

  /** The HTTP endpoint, for S3A's {@code fs.s3a.endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.close();
    TempDirs.delete(dir);
  }

  private static Path jar() {
    return serverJar("s3mock.jar", "S3Mock");
  }

  /** A server jar the build copied (servers.properties names where). */
  static Path serverJar(String property, String what) {
    Properties properties = new Properties();
    try (InputStream in = S3MockServer.class.getResourceAsStream("servers.properties")) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path jar = Path.of(properties.getProperty(property));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "Cannot find the "
              + what
              + " server jar at "
              + jar
              + ": build the test servers first (mvn -pl integration-tests/servers package)");
    }
    return jar;
  }
}
