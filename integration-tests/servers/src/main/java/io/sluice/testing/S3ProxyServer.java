package io.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An S3-compatible server that checks request signatures (S3Proxy over its file system back end),
 * in its own JVM on a free loopback port, with the given buckets. S3Mock accepts any credentials;
 * this one refuses all but its own, for tests of wrong credentials.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String ACCESS_KEY = "sluice-test-identity";
  public static final String SECRET_KEY = "sluice-test-credential";

  private final ServerProcess process;
  private final int port;
  private final Path dir;

  private S3ProxyServer(ServerProcess process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  public static S3ProxyServer start(String... buckets) {
    Path jar = S3MockServer.serverJar("s3proxy.jar", "S3Proxy");
    Path dir = TempDirs.create("s3proxy");
    int port = ServerProcess.freePort();
    Path properties = dir.resolve("s3proxy.conf");
    try {
      for (String bucket : buckets) {
        Files.createDirectories(dir.resolve("store").resolve(bucket));
      }
      Files.writeString(
          properties,
          "s3proxy.endpoint=http://127.0.0.1:"
              + port
              + "\ns3proxy.authorization=aws-v2-or-v4\n"
              + "s3proxy.identity="
              + ACCESS_KEY
              + "\ns3proxy.credential="
              + SECRET_KEY
              + "\njclouds.provider=filesystem\n"
              + "jclouds.filesystem.basedir="
              + dir.resolve("store")
              + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ServerProcess process =
        ServerProcess.start(
            "s3proxy",
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "--properties",
                properties.toString()),
            dir.resolve("s3proxy.log"),
            Duration.ofSeconds(60),
            () -> ServerProcess.accepts(port));
    return new S3ProxyServer(process, port, dir);
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
}
