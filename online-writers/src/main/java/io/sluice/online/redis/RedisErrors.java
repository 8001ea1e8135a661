package io.sluice.online.redis;

import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBroadcastException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/** Which Redis failures are worth another attempt, and which mean the configuration is wrong. */
final class RedisErrors {
  private RedisErrors() {}

  /**
   * Connection failures, a server still loading its data set, cluster redirections and topology
   * changes (resharding, failover), and a script cache that was flushed.
   */
  static boolean isTransient(Throwable failure) {
    if (isAuthentication(failure) || isTls(failure)) {
      return false;
    }
    if (failure instanceof RedisOnlineWriter.UnansweredRowsException
        || failure instanceof JedisConnectionException
        || failure instanceof JedisRedirectionException
        || failure instanceof JedisClusterOperationException
        || failure instanceof JedisNoScriptException
        || failure instanceof JedisBroadcastException) {
      return true;
    }
    if (failure instanceof JedisDataException) {
      String message = String.valueOf(failure.getMessage());
      return message.startsWith("LOADING")
          || message.startsWith("TRYAGAIN")
          || message.startsWith("CLUSTERDOWN")
          || message.startsWith("MASTERDOWN")
          || message.startsWith("READONLY")
          || message.startsWith("MOVED")
          || message.startsWith("ASK");
    }
    return false;
  }

  /**
   * A TLS handshake that failed (an untrusted certificate, no TLS on the port): retrying cannot
   * help.
   */
  static boolean isTls(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof javax.net.ssl.SSLException) {
        return true;
      }
    }
    return false;
  }

  /** A wrong password or user: retrying cannot help. */
  static boolean isAuthentication(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof JedisAccessControlException) {
        return true;
      }
      if (cause instanceof JedisDataException) {
        String message = String.valueOf(cause.getMessage());
        if (message.startsWith("WRONGPASS") || message.startsWith("NOAUTH")) {
          return true;
        }
      }
    }
    return false;
  }
}
