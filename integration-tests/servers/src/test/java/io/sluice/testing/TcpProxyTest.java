package io.sluice.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TcpProxy} in front of an echo server: it forwards both ways and counts, cuts exactly at
 * its byte limit, refuses connections while down, stalls exactly at its stall limit, and forwards
 * again once restored.
 */
@Timeout(30)
class TcpProxyTest {
  private ServerSocket echo;

  /** Per connection the echo server closed: the bytes it received, once the proxy hung up. */
  private final BlockingQueue<Long> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void startEchoServer() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (true) {
                try {
                  Socket socket = echo.accept();
                  Thread connection = new Thread(() -> echoUntilClosed(socket));
                  connection.setDaemon(true);
                  connection.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stopEchoServer() throws IOException {
    echo.close();
  }

  private void echoUntilClosed(Socket socket) {
    long total = 0;
    try (socket;
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream()) {
      byte[] buffer = new byte[4096];
      for (int read; (read = in.read(buffer)) >= 0; ) {
        total += read;
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException e) {
      // The proxy closed the connection.
    }
    received.add(total);
  }

  private static Socket connect(TcpProxy proxy) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String exchange(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(US_ASCII));
    socket.getOutputStream().flush();
    byte[] reply = socket.getInputStream().readNBytes(text.length());
    return new String(reply, US_ASCII);
  }

  /**
   * Whether the peer closed the connection (end of stream, or a reset) within the socket's timeout;
   * bytes still arriving before the end are skipped.
   */
  private static boolean closedByPeer(Socket socket) {
    try {
      while (socket.getInputStream().read() >= 0) {
        // skip
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void forwardsBothWaysAndCountsTheClientsBytes() throws Exception {
    try (TcpProxy proxy = TcpProxy.start(echo.getLocalPort());
        Socket first = connect(proxy);
        Socket second = connect(proxy)) {
      assertThat(exchange(first, "hello")).isEqualTo("hello");
      assertThat(exchange(second, "world!")).isEqualTo("world!");
      assertThat(proxy.bytesForwarded()).isEqualTo(11);
      assertThat(proxy.isDown()).isFalse();
      assertThat(proxy.connectionsForwarded()).isEqualTo(2);
    }
  }

  @Test
  void goesDownExactlyAtItsLimitRefusesWhileDownAndForwardsAgainOnceRestored() throws Exception {
    try (TcpProxy proxy = TcpProxy.start(echo.getLocalPort())) {
      Socket idle = connect(proxy);
      assertThat(exchange(idle, "ab")).isEqualTo("ab");
      Socket busy = connect(proxy);
      assertThat(exchange(busy, "cd")).isEqualTo("cd");
      proxy.failAfterBytes(10);

      // 25 bytes in one write: the server gets the first 10, then both connections are closed.
      busy.getOutputStream().write("0123456789abcdefghijklmno".getBytes(US_ASCII));
      busy.getOutputStream().flush();
      assertThat(closedByPeer(busy)).isTrue();
      assertThat(closedByPeer(idle)).isTrue();
      assertThat(proxy.isDown()).isTrue();
      assertThat(proxy.bytesForwarded()).isEqualTo(14);
      // What the echo server received on each connection before the proxy closed it.
      assertThat(
              java.util.List.of(
                  received.poll(10, TimeUnit.SECONDS), received.poll(10, TimeUnit.SECONDS)))
          .containsExactlyInAnyOrder(2L, 12L);

      try (Socket refused = connect(proxy)) {
        assertThat(closedByPeer(refused)).isTrue();
      }
      assertThat(proxy.connectionsRefused()).isEqualTo(1);
      assertThat(proxy.bytesForwarded()).isEqualTo(14);

      proxy.restore();
      assertThat(proxy.isDown()).isFalse();
      try (Socket again = connect(proxy)) {
        assertThat(exchange(again, "back")).isEqualTo("back");
      }
      assertThat(proxy.bytesForwarded()).isEqualTo(18);
      idle.close();
      busy.close();
    }
  }

  @Test
  void failAfterZeroBytesTakesTheStoreDownAtOnce() throws Exception {
    try (TcpProxy proxy = TcpProxy.start(echo.getLocalPort());
        Socket open = connect(proxy)) {
      assertThat(exchange(open, "x")).isEqualTo("x");
      proxy.failAfterBytes(0);
      assertThat(proxy.isDown()).isTrue();
      assertThat(closedByPeer(open)).isTrue();
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(1L);
    }
  }

  /** Whether {@code socket} gets nothing (neither a byte nor its end) within its timeout. */
  private static boolean silent(Socket socket, int timeoutMillis) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout(timeoutMillis);
    try {
      socket.getInputStream().read();
      return false;
    } catch (java.net.SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(before);
    }
  }

  @Test
  void stallsExactlyAtItsLimitKeepsConnectionsOpenAndGoesOnOnceRestored() throws Exception {
    try (TcpProxy proxy = TcpProxy.start(echo.getLocalPort());
        Socket open = connect(proxy)) {
      assertThat(exchange(open, "ab")).isEqualTo("ab");
      proxy.stallAfterBytes(4);

      // 10 bytes in one write: the server gets the first 4 (echoed back), the rest is held.
      open.getOutputStream().write("0123456789".getBytes(US_ASCII));
      open.getOutputStream().flush();
      assertThat(new String(open.getInputStream().readNBytes(4), US_ASCII)).isEqualTo("0123");
      assertThat(proxy.isStalled()).isTrue();
      assertThat(proxy.isDown()).isFalse();
      assertThat(proxy.bytesForwarded()).isEqualTo(6);
      // 200 ms of nothing: a stall shows as silence (what it may not do is forward or close).
      assertThat(silent(open, 200)).isTrue();

      // A new connection is accepted, but its bytes wait too.
      try (Socket late = connect(proxy)) {
        late.getOutputStream().write("xy".getBytes(US_ASCII));
        late.getOutputStream().flush();
        assertThat(silent(late, 200)).isTrue();
        assertThat(proxy.connectionsRefused()).isZero();

        proxy.restore();
        assertThat(proxy.isStalled()).isFalse();
        assertThat(new String(open.getInputStream().readNBytes(6), US_ASCII)).isEqualTo("456789");
        assertThat(new String(late.getInputStream().readNBytes(2), US_ASCII)).isEqualTo("xy");
      }
      assertThat(exchange(open, "more")).isEqualTo("more");
      assertThat(proxy.bytesForwarded()).isEqualTo(18);
    }
  }
}
