package io.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real redis-server on a free loopback port, in a temporary folder, with no persistence. */
public final class RedisServer implements AutoCloseable {
  private final ServerProcess process;
  private final int port;
  private final Path dir;

  private RedisServer(ServerProcess process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a server without a password. */
  public static RedisServer start() {
    return start(null, List.of());
  }

  /** Starts a server that requires {@code password} (null for none) with extra arguments. */
  public static RedisServer start(String password, List<String> extraArguments) {
    String binary = ServerProcess.requireBinary("redis-server", "redis-server");
    Path dir = TempDirs.create("redis");
    int port = freeClusterCapablePort();
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            dir.toString()));
    if (password != null) {
      command.addAll(List.of("--requirepass", password));
    }
    command.addAll(extraArguments);
    ServerProcess process =
        ServerProcess.start(
            "redis-server:" + port,
            command,
            dir.resolve("redis.log"),
            Duration.ofSeconds(20),
            () -> answersPing(port));
    return new RedisServer(process, port, dir);
  }

  public int port() {
    return port;
  }

  public String hostAndPort() {
    return "127.0.0.1:" + port;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Runs a redis-cli command against this server and returns its output. */
  public String cli(String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(ServerProcess.requireBinary("redis-tools", "redis-cli"));
    command.addAll(List.of("-h", "127.0.0.1", "-p", Integer.toString(port)));
    command.addAll(List.of(arguments));
    return ServerProcess.run(command, Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    process.close();
    TempDirs.delete(dir);
  }

  /** A port whose cluster bus port (port + 10000) is also free. */
  static int freeClusterCapablePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ServerProcess.freePort();
      if (port < 55535 && !ServerProcess.accepts(port + 10000)) {
        return port;
      }
    }
    throw new IllegalStateException("Cannot find a free port below 55535");
  }

  /** Whether a Redis server answers PING (a NOAUTH error also proves it is serving). */
  static boolean answersPing(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[64];
      int read = in.read(reply);
      String text = read > 0 ? new String(reply, 0, read, StandardCharsets.US_ASCII) : "";
      return text.startsWith("+PONG") || text.startsWith("-NOAUTH");
    } catch (IOException e) {
      return false;
    }
  }
}
