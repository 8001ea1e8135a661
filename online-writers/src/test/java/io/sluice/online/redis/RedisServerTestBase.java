package io.sluice.online.redis;

import io.sluice.testing.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import redis.clients.jedis.JedisPooled;

/** One real redis-server for a test class, flushed before each test, and a client to check it. */
abstract class RedisServerTestBase {
  static RedisServer server;
  static JedisPooled redis;

  @BeforeAll
  static void startServer() {
    server = RedisServer.start();
    redis = new JedisPooled("127.0.0.1", server.port());
  }

  @AfterAll
  static void stopServer() {
    redis.close();
    server.close();
  }

  @BeforeEach
  void flush() {
    redis.flushAll();
  }
}
