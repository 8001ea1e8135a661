package io.sluice.benchmark.performance;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Every hash a run left in Redis, read back byte for byte (SCAN, then pipelined HGETALL, binary
 * APIs), so the limit can write exactly the bytes the run wrote. Kept compact: the field names once
 * (every hash of one view has the same fields), each hash's values packed in one array with 2-byte
 * lengths, so a million hashes of 200 features fit in about 1.5 GB.
 *
 * <p>The limit, {@link #timeHsetLoop}: {@code threads} threads, each on its own connection, each
 * writing its contiguous share of the hashes with pipelined HSET, {@code batch} hashes a pipeline
 * (the writer's batch size). Values are unpacked into the command inside the loop (a copy per
 * value, far cheaper than the server's work for it).
 */
final class RedisHashDump {
  private final List<byte[]> fields;
  private final List<byte[]> keys;
  private final List<byte[]> packedValues;

  private RedisHashDump(List<byte[]> fields, List<byte[]> keys, List<byte[]> packedValues) {
    this.fields = fields;
    this.keys = keys;
    this.packedValues = packedValues;
  }

  int size() {
    return keys.size();
  }

  static RedisHashDump read(int port) {
    List<byte[]> fields = null;
    Map<ByteBuffer, Integer> fieldIndex = new HashMap<>();
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> packed = new ArrayList<>();
    try (Jedis jedis = new Jedis("127.0.0.1", port)) {
      byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
      ScanParams params = new ScanParams().count(1000);
      do {
        ScanResult<byte[]> page = jedis.scan(cursor, params);
        cursor = page.getCursorAsBytes();
        List<byte[]> pageKeys = page.getResult();
        Pipeline pipeline = jedis.pipelined();
        List<Response<Map<byte[], byte[]>>> hashes = new ArrayList<>(pageKeys.size());
        for (byte[] key : pageKeys) {
          hashes.add(pipeline.hgetAll(key));
        }
        pipeline.sync();
        for (int i = 0; i < pageKeys.size(); i++) {
          Map<byte[], byte[]> hash = hashes.get(i).get();
          if (fields == null) {
            fields = new ArrayList<>(hash.keySet());
            for (int f = 0; f < fields.size(); f++) {
              fieldIndex.put(ByteBuffer.wrap(fields.get(f)), f);
            }
          }
          keys.add(pageKeys.get(i));
          packed.add(pack(hash, fields, fieldIndex));
        }
      } while (!java.util.Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
    }
    return new RedisHashDump(fields == null ? List.of() : fields, keys, packed);
  }

  private static byte[] pack(
      Map<byte[], byte[]> hash, List<byte[]> fields, Map<ByteBuffer, Integer> fieldIndex) {
    if (hash.size() != fields.size()) {
      throw new IllegalStateException(
          "Cannot dump Redis: hashes have " + fields.size() + " and " + hash.size() + " fields");
    }
    byte[][] ordered = new byte[fields.size()][];
    int length = 0;
    for (Map.Entry<byte[], byte[]> entry : hash.entrySet()) {
      Integer index = fieldIndex.get(ByteBuffer.wrap(entry.getKey()));
      if (index == null) {
        throw new IllegalStateException("Cannot dump Redis: hashes differ in their fields");
      }
      if (entry.getValue().length > 0xFFFF) {
        throw new IllegalStateException("Cannot dump Redis: a value over 64 KB");
      }
      ordered[index] = entry.getValue();
      length += 2 + entry.getValue().length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    for (byte[] value : ordered) {
      buffer.putShort((short) value.length).put(value);
    }
    return buffer.array();
  }

  private Map<byte[], byte[]> unpack(int index) {
    ByteBuffer buffer = ByteBuffer.wrap(packedValues.get(index));
    Map<byte[], byte[]> hash = new LinkedHashMap<>(fields.size() * 2);
    for (byte[] field : fields) {
      byte[] value = new byte[buffer.getShort() & 0xFFFF];
      buffer.get(value);
      hash.put(field, value);
    }
    return hash;
  }

  /** Rows (hashes) per second of the plain loop; the server should be empty before it. */
  double timeHsetLoop(int port, int threads, int batch) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Jedis> connections = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Jedis jedis = new Jedis("127.0.0.1", port);
        jedis.ping();
        connections.add(jedis);
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      int share = (keys.size() + threads - 1) / threads;
      for (int t = 0; t < threads; t++) {
        int from = Math.min(keys.size(), t * share);
        int to = Math.min(keys.size(), from + share);
        Jedis jedis = connections.get(t);
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int start = from; start < to; start += batch) {
                    Pipeline pipeline = jedis.pipelined();
                    for (int i = start; i < Math.min(to, start + batch); i++) {
                      pipeline.hset(keys.get(i), unpack(i));
                    }
                    pipeline.sync();
                  }
                  return null;
                }));
      }
      long begin = System.nanoTime();
      go.countDown();
      for (Future<?> future : done) {
        future.get();
      }
      double seconds = (System.nanoTime() - begin) / 1e9;
      connections.forEach(Jedis::close);
      return keys.size() / seconds;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted in the HSET loop", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("The HSET loop failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
