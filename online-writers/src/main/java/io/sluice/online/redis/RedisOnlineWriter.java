package io.sluice.online.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.sluice.common.feast.ProtoTimestamps;
import io.sluice.common.retry.Attempt;
import io.sluice.common.retry.RetryExhaustedException;
import io.sluice.common.retry.RetryRule;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineStoreUnavailableException;
import io.sluice.online.OnlineWriter;
import io.sluice.online.StoreRetries;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.format.RowEncoder;
import io.sluice.online.format.RowEncoder.EncodedRow;
import io.sluice.online.redis.RedisOnlineStoreConfig.RedisType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * Writes a feature view to Redis in Feast's layout: one hash per entity key (shared by every view
 * on that key), a field per feature and the view's {@code _ts:<view>} field.
 *
 * <p>Each batch is one pipeline. In {@link WriteMode#NEWER_ONLY} the rows go through a Lua script
 * loaded once per connection, up to {@code sluice.redis.keys_per_script_call} entities per call
 * (100 by default, one in a cluster), which for each entity compares the stored {@code _ts:<view>}
 * with the row's event time and writes only when the row is strictly newer: check and write are one
 * atomic step on the server, so racing writers always leave the newest value. {@link
 * WriteMode#FORCE} sends plain {@code HSET}s. On a transient failure the client is reopened (which
 * also picks up a new cluster topology and reloads the script) and only the rows of the batch not
 * yet acknowledged are sent again.
 */
final class RedisOnlineWriter implements OnlineWriter {
  private static final Logger LOG = LoggerFactory.getLogger(RedisOnlineWriter.class);
  static final String SCRIPT = loadScript();

  private final RedisOnlineStoreConfig config;
  private final WriteOptions options;
  private final RetryRule retry;
  private final RowEncoder encoder;
  private final byte[] project;
  private final byte[] timestampField;
  private final byte[][] featureFields;

  /** The script's arguments before the rows': the view's fields and the key expiry. */
  private final List<byte[]> scriptArgsHead;

  /**
   * Rows per script call: {@code keysPerScriptCall} on a standalone server (measured on Redis 7.0,
   * the server's CPU per row falls from 6.4 µs at one row per call to 5.7 µs at 10 and 5.2 µs at
   * 100, where a plain HSET of the same bytes costs it 3.2 µs), one in a cluster, where a call's
   * keys must share a hash slot.
   */
  private final int keysPerCall;

  private UnifiedJedis client;
  private byte[] scriptSha;
  private boolean reconnect;
  private final StoreRetries retries = StoreRetries.withoutThrottling();
  private WriteStats stats = WriteStats.NONE;

  RedisOnlineWriter(RedisOnlineStoreConfig config, FeatureViewSchema view, WriteOptions options) {
    this.config = config;
    this.options = options;
    this.retry = options.retryRule(RedisErrors::isTransient, retries);
    this.encoder = new RowEncoder(view, options.keyFormat());
    this.project = view.project().getBytes(UTF_8);
    this.timestampField = RedisFields.timestampField(view.name());
    this.featureFields =
        view.features().stream()
            .map(feature -> RedisFields.featureField(view.name(), feature.name()))
            .toArray(byte[][]::new);
    List<byte[]> head = new ArrayList<>(3 + featureFields.length);
    head.add(timestampField);
    head.add(Integer.toString(featureFields.length).getBytes(UTF_8));
    head.add(Long.toString(config.keyTtlSeconds()).getBytes(UTF_8));
    head.addAll(Arrays.asList(featureFields));
    this.scriptArgsHead = List.copyOf(head);
    this.keysPerCall =
        config.redisType() == RedisType.REDIS_CLUSTER ? 1 : config.keysPerScriptCall();
    retrying(
        "connect to Redis",
        null,
        () -> {
          ensureConnected();
          return null;
        });
  }

  @Override
  public WriteStats write(List<FeatureRow> batch) {
    if (batch.isEmpty()) {
      return WriteStats.NONE;
    }
    WriteStats before = stats();
    Pending pending = new Pending(encoder.encodeBatch(batch, stats));
    try {
      retrying(
          "write " + batch.size() + " rows of " + encoder.view().name() + " to Redis",
          pending,
          () -> {
            ensureConnected();
            pending.send();
            return null;
          });
    } finally {
      // Whatever the store acknowledged stays counted, also when the batch failed part way.
      stats = stats.plus(pending.done);
    }
    return stats().since(before);
  }

  /**
   * The rows of one batch still to be acknowledged. A reply that is a transient error (MOVED after
   * resharding, TRYAGAIN, NOSCRIPT) leaves only its call's rows pending (one row's, for an error
   * the script returns for that row), so the next attempt re-sends just those rows and the counts
   * stay exact; a connection lost mid-pipeline leaves every row of the attempt pending (some may
   * have landed, and are then counted as skipped).
   */
  private final class Pending {
    private List<EncodedRow> rows;
    private WriteStats done = WriteStats.NONE;

    Pending(List<EncodedRow> rows) {
      this.rows = rows;
    }

    void send() {
      List<EncodedRow> failed = new ArrayList<>();
      RuntimeException transientFailure = null;
      RuntimeException fatalFailure = null;
      long written = 0;
      long skipped = 0;
      for (Call call : RedisOnlineWriter.this.send(rows)) {
        List<?> replies = replies(call);
        for (int i = 0; i < replies.size(); i++) {
          Object reply = replies.get(i);
          if (Long.valueOf(1L).equals(reply)) {
            written++;
          } else if (Long.valueOf(0L).equals(reply)) {
            skipped++;
          } else {
            failed.add(rows.get(call.from() + i));
            RuntimeException e =
                reply instanceof RuntimeException error
                    ? error
                    : new UnsupportedOperationException("The newer-only script answered " + reply);
            // A cluster pipeline logs a node's lost connection and leaves its replies unset
            // (IllegalStateException): sent again, as a transient error is.
            if (e instanceof IllegalStateException || RedisErrors.isTransient(e)) {
              transientFailure = transientFailure == null ? e : transientFailure;
            } else {
              fatalFailure = fatalFailure == null ? e : fatalFailure;
            }
          }
        }
      }
      done = done.plus(new WriteStats(written, skipped));
      rows = failed;
      if (fatalFailure != null) {
        throw fatalFailure;
      }
      if (transientFailure != null) {
        throw new UnansweredRowsException(failed.size(), transientFailure);
      }
    }

    /**
     * The call's reply per row: 1 for a FORCE row whose {@code HSET} succeeded, a script call's
     * list (1, 0 or the row's error), or, when the call as a whole got an error or no reply, that
     * failure for each of its rows.
     */
    private List<?> replies(Call call) {
      int callRows = call.to() - call.from();
      try {
        Object reply = call.reply().get();
        if (call.expire() != null) {
          call.expire().get();
        }
        if (options.mode() == WriteMode.FORCE) {
          return List.of(1L);
        }
        List<?> replies = (List<?>) reply;
        if (replies.size() != callRows) {
          throw new UnsupportedOperationException(
              "The newer-only script answered " + replies.size() + " of " + callRows + " rows");
        }
        return replies;
      } catch (RuntimeException e) {
        return Collections.nCopies(callRows, e);
      }
    }

    long rowsNotWritten() {
      return rows.size();
    }
  }

  /** Some rows of a pipeline got no usable reply; they are sent again on the next attempt. */
  static final class UnansweredRowsException extends RuntimeException {
    UnansweredRowsException(int rows, RuntimeException first) {
      super(rows + " rows got no usable reply, the first: " + first, first);
    }
  }

  @Override
  public WriteStats stats() {
    return stats.withRetries(retries);
  }

  @Override
  public void close() {
    closeClient();
  }

  /**
   * Sends one pipeline and returns its calls in row order. In FORCE mode each row is one call: an
   * {@code HSET} (and an {@code EXPIRE} when keys expire). In NEWER_ONLY mode each call is the
   * script over up to {@link #keysPerCall} consecutive rows: per call the server pays its fixed
   * cost (command dispatch, the script's set-up, the view's field names) once rather than per row,
   * which halves its CPU per row on a standalone server. A cluster's call stays in one hash slot,
   * so there it holds one row.
   */
  private List<Call> send(List<EncodedRow> rows) {
    boolean force = options.mode() == WriteMode.FORCE;
    List<Call> calls = new ArrayList<>(force ? rows.size() : rows.size() / keysPerCall + 1);
    try (PipelineBase pipeline = client.pipelined()) {
      if (force) {
        for (int i = 0; i < rows.size(); i++) {
          EncodedRow row = rows.get(i);
          byte[] key = RedisFields.key(row.entityKey(), project);
          Map<byte[], byte[]> fields = new LinkedHashMap<>();
          fields.put(timestampField, timestamp(row));
          for (int f = 0; f < featureFields.length; f++) {
            fields.put(featureFields[f], row.values()[f]);
          }
          Response<?> hset = pipeline.hset(key, fields);
          Response<?> expire =
              config.keyTtlSeconds() > 0 ? pipeline.expire(key, config.keyTtlSeconds()) : null;
          calls.add(new Call(i, i + 1, hset, expire));
        }
      } else {
        for (int from = 0; from < rows.size(); from += keysPerCall) {
          int to = Math.min(rows.size(), from + keysPerCall);
          List<byte[]> keys = new ArrayList<>(to - from);
          List<byte[]> args =
              new ArrayList<>(scriptArgsHead.size() + (to - from) * (3 + featureFields.length));
          args.addAll(scriptArgsHead);
          for (EncodedRow row : rows.subList(from, to)) {
            keys.add(RedisFields.key(row.entityKey(), project));
            args.add(timestamp(row));
            args.add(Long.toString(row.eventTimestamp().getEpochSecond()).getBytes(UTF_8));
            args.add(Integer.toString(row.eventTimestamp().getNano()).getBytes(UTF_8));
            for (byte[] value : row.values()) {
              args.add(value);
            }
          }
          calls.add(new Call(from, to, pipeline.evalsha(scriptSha, keys, args), null));
        }
      }
      pipeline.sync();
    }
    return calls;
  }

  private static byte[] timestamp(EncodedRow row) {
    return ProtoTimestamps.toProto(row.eventTimestamp()).toByteArray();
  }

  /**
   * One call of a pipeline, for rows {@code [from, to)} of the attempt: an {@code HSET} (with its
   * {@code EXPIRE}, or null) for one row, or one script call whose reply is a list, per row 1
   * (written), 0 (not newer) or the server's error for that row.
   */
  private record Call(int from, int to, Response<?> reply, Response<?> expire) {}

  private void ensureConnected() {
    if (client != null && !reconnect) {
      return;
    }
    closeClient();
    client = RedisConnections.open(config);
    scriptSha = loadScriptEverywhere(client);
    reconnect = false;
  }

  /**
   * Loads the script on every node of a cluster that answers (replicas included, so a failover
   * finds it); a node that does not answer is skipped, since a NOSCRIPT reply later reloads it.
   */
  private static byte[] loadScriptEverywhere(UnifiedJedis client) {
    if (client instanceof JedisCluster cluster) {
      String sha = null;
      RuntimeException lastFailure = null;
      for (Map.Entry<String, ConnectionPool> node : cluster.getClusterNodes().entrySet()) {
        try (Jedis jedis = new Jedis(node.getValue().getResource())) {
          sha = jedis.scriptLoad(SCRIPT);
        } catch (RuntimeException e) {
          LOG.debug("Cannot load the write script on cluster node {}", node.getKey(), e);
          lastFailure = e;
        }
      }
      if (sha == null) {
        throw lastFailure != null
            ? lastFailure
            : new redis.clients.jedis.exceptions.JedisClusterOperationException(
                "No cluster node is reachable");
      }
      return sha.getBytes(UTF_8);
    }
    return client.scriptLoad(SCRIPT).getBytes(UTF_8);
  }

  /**
   * Runs {@code attempt} under the retry rule and turns a final failure into the writer's exception
   * kinds, with what was acknowledged (earlier batches and, for a batch, its rows that made it) and
   * how many rows of the batch were not written. {@code pending} is null when connecting.
   */
  private <T> T retrying(String what, Pending pending, Attempt<T> attempt) {
    try {
      return retry.call(what, () -> reconnect = true, attempt);
    } catch (RuntimeException e) {
      WriteStats acknowledged =
          (pending == null ? stats : stats.plus(pending.done)).withRetries(retries);
      long notWritten = pending == null ? 0 : pending.rowsNotWritten();
      throw failure(what, e, acknowledged, notWritten);
    }
  }

  /** The exception to throw for a failure the retry rule gave up on or did not retry. */
  private RuntimeException failure(
      String what, RuntimeException e, WriteStats acknowledged, long notWritten) {
    String progress =
        "; "
            + notWritten
            + " rows of this batch not written, "
            + acknowledged.acknowledged()
            + " rows acknowledged ("
            + acknowledged.written()
            + " written, "
            + acknowledged.skippedNotNewer()
            + " skipped as not newer) stay written";
    if (e instanceof RetryExhaustedException exhausted) {
      if (exhausted.interrupted()) {
        return exhausted; // the task is being cancelled: not the store's doing
      }
      return new OnlineStoreUnavailableException(
          "Cannot "
              + what
              + " at "
              + config.nodes()
              + " within the retry budget of "
              + RetryRule.describe(retry.budget())
              + ": "
              + exhausted.getCause().getMessage()
              + progress,
          exhausted,
          acknowledged,
          notWritten);
    }
    if (RedisErrors.isAuthentication(e)) {
      return new InvalidOnlineStoreConfigException(
          "Cannot authenticate to Redis at "
              + config.nodes()
              + ": "
              + e.getMessage()
              + "; check username/password in online_store.connection_string"
              + progress,
          e,
          acknowledged,
          notWritten);
    }
    if (RedisErrors.isTls(e)) {
      return new InvalidOnlineStoreConfigException(
          "Cannot establish TLS with Redis at "
              + config.nodes()
              + ": "
              + e.getMessage()
              + "; check ssl in online_store.connection_string and that this JVM trusts the"
              + " server's certificate (-Djavax.net.ssl.trustStore)"
              + progress,
          e,
          acknowledged,
          notWritten);
    }
    if (e instanceof redis.clients.jedis.exceptions.JedisDataException) {
      // The server refused the command itself (a db index out of range, a key of another
      // type, a script error): retrying the run cannot help.
      return new InvalidOnlineStoreConfigException(
          "Redis at " + config.nodes() + " rejected " + what + ": " + e.getMessage() + progress,
          e,
          acknowledged,
          notWritten);
    }
    return e; // not the store's doing: a bug, reported as unexpected
  }

  private void closeClient() {
    if (client == null) {
      return;
    }
    try {
      client.close();
    } catch (RuntimeException e) {
      LOG.warn("Cannot close Redis client for {}", config.location(), e);
    }
    client = null;
  }

  private static String loadScript() {
    try (InputStream in = RedisOnlineWriter.class.getResourceAsStream("newer-only-write.lua")) {
      if (in == null) {
        throw new IllegalStateException("newer-only-write.lua is missing from the classpath");
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
