package io.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on a free loopback port in front of one server on loopback, for fault injection:
 * point a client at {@link #port()} instead of the server's port, then take "the store" down from
 * the test.
 *
 * <ul>
 *   <li>Every accepted connection gets its own connection to the target; bytes are copied both ways
 *       by two threads per connection. When either side closes, both are closed.
 *   <li>{@link #bytesForwarded()} counts the client→server bytes forwarded, over all connections.
 *   <li>{@link #failAfterBytes(long)}: after that many more client→server bytes the store goes
 *       down. The limit is exact: of a read that crosses it only the bytes up to it are forwarded,
 *       and no connection forwards anything after it, so the server gets at most a prefix of each
 *       client's stream (a command cut part way is never executed). Then every open connection is
 *       closed and every newly accepted one is closed at once ({@link #connectionsRefused()} counts
 *       those): the client sees the store down, not slow.
 *   <li>{@link #stallAfterBytes(long)}: after that many more client→server bytes the store stalls:
 *       connections stay open and new ones are accepted, but no more client bytes are forwarded
 *       (each connection holds what it read), while the server's replies to what it got still come
 *       back. The limit is exact, as above. The client sees a store that stopped answering: its
 *       requests wait, then time out.
 *   <li>{@link #restore()} brings it back: new connections are forwarded again, and stalled ones
 *       forward what they held, with no limit.
 * </ul>
 *
 * <p>Plain {@code java.net} with blocking sockets and daemon threads; meant for tests, not for
 * throughput. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final int targetPort;
  private final ServerSocket listener;
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();

  /**
   * Guards {@link #forwarded}, {@link #limit}, {@link #stallAt}, {@link #stalled} and changes of
   * {@link #down}; stalled connections wait on it.
   */
  private final Object lock = new Object();

  private long forwarded;
  private long limit = Long.MAX_VALUE;
  private long stallAt = Long.MAX_VALUE;
  private boolean stalled;
  private volatile boolean down;
  private volatile boolean closed;

  private TcpProxy(int targetPort, ServerSocket listener) {
    this.targetPort = targetPort;
    this.listener = listener;
  }

  /** Starts a proxy to {@code targetPort} on 127.0.0.1. */
  public static TcpProxy start(int targetPort) {
    ServerSocket listener;
    try {
      listener = new ServerSocket();
      listener.setReuseAddress(true);
      listener.bind(new InetSocketAddress(LOOPBACK, 0));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot open a loopback port for the TCP proxy", e);
    }
    TcpProxy proxy = new TcpProxy(targetPort, listener);
    Thread acceptor = new Thread(proxy::acceptLoop, "tcp-proxy-" + proxy.port() + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return proxy;
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** {@code 127.0.0.1:<port>}, as connection strings take it. */
  public String hostAndPort() {
    return "127.0.0.1:" + port();
  }

  /** The client→server bytes forwarded so far, over every connection. */
  public long bytesForwarded() {
    synchronized (lock) {
      return forwarded;
    }
  }

  /**
   * Takes the store down once {@code bytes} more client→server bytes have been forwarded (0: now).
   * Replaces an earlier limit not yet reached.
   */
  public void failAfterBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be 0 or more, not " + bytes);
    }
    synchronized (lock) {
      limit = bytes > Long.MAX_VALUE - forwarded ? Long.MAX_VALUE : forwarded + bytes;
      if (bytes == 0) {
        goDown();
      }
    }
  }

  /**
   * Stalls the store once {@code bytes} more client→server bytes have been forwarded (0: now).
   * Replaces an earlier stall limit not yet reached.
   */
  public void stallAfterBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be 0 or more, not " + bytes);
    }
    synchronized (lock) {
      stallAt = bytes > Long.MAX_VALUE - forwarded ? Long.MAX_VALUE : forwarded + bytes;
      if (bytes == 0) {
        stall();
      }
    }
  }

  /** Whether the store is stalled (its stall limit was reached, {@link #restore()} not called). */
  public boolean isStalled() {
    synchronized (lock) {
      return stalled;
    }
  }

  /** Whether the store is down (the limit was reached and {@link #restore()} not called since). */
  public boolean isDown() {
    return down;
  }

  /** Connections accepted while the store was down, and closed at once. */
  public long connectionsRefused() {
    return refused.get();
  }

  /** Connections accepted and forwarded to the target. */
  public long connectionsForwarded() {
    return accepted.get();
  }

  /**
   * Brings the store back: new connections are forwarded again, stalled ones go on, with no byte
   * limit.
   */
  public void restore() {
    synchronized (lock) {
      limit = Long.MAX_VALUE;
      stallAt = Long.MAX_VALUE;
      stalled = false;
      down = false;
      lock.notifyAll();
    }
    LOG.info("TCP proxy {} -> {}: restored", port(), targetPort);
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      lock.notifyAll(); // stalled connections end
    }
    closeQuietly(listener);
    for (Connection connection : open) {
      connection.close();
    }
  }

  /** Must hold {@link #lock}. */
  private void goDown() {
    if (!down) {
      LOG.info(
          "TCP proxy {} -> {}: the store goes down after {} bytes forwarded",
          port(),
          targetPort,
          forwarded);
    }
    down = true;
    lock.notifyAll(); // stalled connections end
    for (Connection connection : open) {
      connection.close();
    }
  }

  /** Must hold {@link #lock}. */
  private void stall() {
    if (!stalled) {
      LOG.info(
          "TCP proxy {} -> {}: the store stalls after {} bytes forwarded",
          port(),
          targetPort,
          forwarded);
    }
    stalled = true;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("TCP proxy {}: accept failed, no longer accepting", port(), e);
        }
        return;
      }
      if (down) {
        refused.incrementAndGet();
        closeQuietly(client);
        continue;
      }
      Socket server = new Socket();
      try {
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        server.connect(new InetSocketAddress(LOOPBACK, targetPort), 5_000);
      } catch (IOException e) {
        LOG.warn("TCP proxy {}: cannot connect to {}: {}", port(), targetPort, e.toString());
        closeQuietly(server);
        closeQuietly(client);
        continue;
      }
      Connection connection = new Connection(client, server);
      open.add(connection);
      // The store may have gone down between the check above and the add: goDown closes only
      // what it finds in `open`.
      if (down || closed) {
        refused.incrementAndGet();
        connection.close();
        continue;
      }
      accepted.incrementAndGet();
      connection.start();
    }
  }

  /** One client connection and its connection to the target. */
  private final class Connection {
    private final Socket client;
    private final Socket server;

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      String name = "tcp-proxy-" + port() + "-" + client.getPort();
      Thread up = new Thread(this::clientToServer, name + "-up");
      Thread downstream = new Thread(this::serverToClient, name + "-down");
      up.setDaemon(true);
      downstream.setDaemon(true);
      up.start();
      downstream.start();
    }

    /** Copies the client's bytes to the server, counting them and applying the limit. */
    private void clientToServer() {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = client.getInputStream();
          OutputStream out = server.getOutputStream()) {
        while (true) {
          int read = in.read(buffer);
          if (read < 0) {
            return;
          }
          for (int offset = 0; offset < read; ) {
            int allowed;
            boolean crossing;
            synchronized (lock) {
              while (!down && !closed && (stalled || forwarded >= stallAt)) {
                stall();
                lock.wait(); // until restore, goDown or close
              }
              long room = limit - forwarded;
              if (down || closed || room <= 0) {
                return; // down, or another connection is forwarding the last bytes before it goes
              }
              allowed = (int) Math.min(read - offset, Math.min(room, stallAt - forwarded));
              forwarded += allowed;
              crossing = forwarded >= limit;
              if (forwarded >= stallAt) {
                stall();
              }
            }
            // Written outside the lock, so a server that stops reading blocks only this
            // connection.
            try {
              out.write(buffer, offset, allowed);
              out.flush();
            } finally {
              if (crossing) {
                synchronized (lock) {
                  goDown();
                }
              }
            }
            if (crossing) {
              return;
            }
            offset += allowed;
          }
        }
      } catch (IOException e) {
        // A side closed (also by goDown or close): the connection ends.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the connection ends
      } finally {
        close();
      }
    }

    private void serverToClient() {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = server.getInputStream();
          OutputStream out = client.getOutputStream()) {
        while (true) {
          int read = in.read(buffer);
          if (read < 0) {
            return;
          }
          out.write(buffer, 0, read);
          out.flush();
        }
      } catch (IOException e) {
        // As above.
      } finally {
        close();
      }
    }

    void close() {
      open.remove(this);
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // Closing is all that is left to do.
    }
  }
}
