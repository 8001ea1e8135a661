package io.sluice.online.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/** Which server replies are retried; the replies are Redis' own texts. */
class RedisErrorsTest {
  @Test
  void transientRepliesAreRetried() {
    assertThat(RedisErrors.isTransient(new JedisConnectionException("Connection reset"))).isTrue();
    assertThat(
            RedisErrors.isTransient(
                new JedisDataException("LOADING Redis is loading the dataset in memory")))
        .isTrue();
    assertThat(
            RedisErrors.isTransient(
                new JedisDataException("TRYAGAIN Multiple keys request during rehashing of slot")))
        .isTrue();
    assertThat(RedisErrors.isTransient(new JedisDataException("CLUSTERDOWN The cluster is down")))
        .isTrue();
    assertThat(
            RedisErrors.isTransient(
                new JedisMovedDataException(
                    "MOVED 3999 127.0.0.1:6381", new HostAndPort("127.0.0.1", 6381), 3999)))
        .isTrue();
    assertThat(RedisErrors.isTransient(new JedisNoScriptException("NOSCRIPT No matching script")))
        .isTrue();
  }

  @Test
  void authenticationAndOtherErrorsAreNot() {
    JedisAccessControlException wrongPassword =
        new JedisAccessControlException("WRONGPASS invalid username-password pair");
    assertThat(RedisErrors.isTransient(wrongPassword)).isFalse();
    assertThat(RedisErrors.isAuthentication(wrongPassword)).isTrue();
    assertThat(
            RedisErrors.isAuthentication(new JedisDataException("NOAUTH Authentication required")))
        .isTrue();
    assertThat(
            RedisErrors.isTransient(
                new JedisDataException("WRONGTYPE Operation against a key holding the wrong kind")))
        .isFalse();
  }
}
