package io.sluice.online.dynamodb;

import io.sluice.common.retry.RetryExhaustedException;
import io.sluice.common.retry.RetryRule;
import io.sluice.online.FeatureRow;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.InvalidFeatureValueException;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineStoreException;
import io.sluice.online.OnlineStoreUnavailableException;
import io.sluice.online.OnlineWriter;
import io.sluice.online.StoreRetries;
import io.sluice.online.WriteMode;
import io.sluice.online.WriteOptions;
import io.sluice.online.WriteStats;
import io.sluice.online.dynamodb.DynamoDbErrors.UnprocessedItemsException;
import io.sluice.online.format.RowEncoder;
import io.sluice.online.format.RowEncoder.EncodedRow;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ExpectedAttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes a feature view to its DynamoDB table in Feast's item layout ({@link DynamoDbItems}).
 *
 * <p>{@link WriteMode#NEWER_ONLY}: read, then compare-and-set. For each batch, the stored {@code
 * event_ts} of its entities is read with BatchGetItem and compared with the row's time as an
 * instant, whatever form Feast stored it in ({@link DynamoDbItems#parseEventTs}); entities already
 * as new or newer are skipped without a write (a failed conditional write would cost a write unit
 * on DynamoDB, a strongly consistent read of a small item one read unit, about a fifth of the
 * price). The others get one PutItem conditional on the exact text read ({@code event_ts =
 * :stored}) or on the item's absence, so check and write are one atomic step on the server; when
 * the condition fails (another writer got there in between), the item is read again, compared again
 * and written again if still older, so racing writers leave the newest value. When a batch finds no
 * stored item at all (a first load), the next batch skips the read and writes on the absence
 * condition directly, until a write finds an item. Up to {@code requests_in_flight} requests run at
 * once on a pool owned by this writer.
 *
 * <p>{@link WriteMode#FORCE}: BatchWriteItem, 25 items a call, unprocessed items sent again.
 *
 * <p>Each request is retried on its own under the writer's {@link RetryRule} (throttling, 5xx,
 * connection errors; the SDK's retries are off), and counted in {@link WriteStats#retries()} and,
 * when DynamoDB throttled it, {@link WriteStats#throttled()}. With {@code target_write_capacity},
 * each attempt first waits for its write units ({@link DynamoDbWriteCapacity}). Not thread-safe,
 * like every writer.
 */
final class DynamoDbOnlineWriter implements OnlineWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DynamoDbOnlineWriter.class);

  /** BatchWriteItem's maximum. */
  static final int BATCH_WRITE_ITEMS = 25;

  /** BatchGetItem's maximum. */
  static final int BATCH_GET_KEYS = 100;

  /**
   * The condition of a write to an entity with no item. Conditions use the {@code Expected}
   * parameter (a legacy form DynamoDB still supports) rather than a condition expression: both
   * conditions test one attribute, and dynalite spends about 90 us less per write on it.
   */
  static final Map<String, ExpectedAttributeValue> ABSENT =
      Map.of(DynamoDbItems.ENTITY_ID, ExpectedAttributeValue.builder().exists(false).build());

  /** How often one entity's compare-and-set may lose a race before the writer gives up. */
  private static final int MAX_ROUNDS = 100;

  private final DynamoDbOnlineStoreConfig config;
  private final FeatureViewSchema view;
  private final WriteOptions options;
  private final RetryRule retry;
  private final RowEncoder encoder;
  private final DynamoDbItems items;
  private final String table;
  private final DynamoDbClient client;
  private final ExecutorService pool;
  private final StoreRetries retries = StoreRetries.counting(DynamoDbErrors::isThrottling);
  private final DynamoDbWriteCapacity capacity;
  private WriteStats stats = WriteStats.NONE;

  /** Whether to read stored event times first: until a batch finds no item stored at all. */
  private boolean readBeforeWrite = true;

  DynamoDbOnlineWriter(
      DynamoDbOnlineStoreConfig config, FeatureViewSchema view, WriteOptions options) {
    this(config, view, options, DynamoDbClients.open(config));
  }

  /** With a client of the caller's (tests add interceptors); the writer closes it. */
  DynamoDbOnlineWriter(
      DynamoDbOnlineStoreConfig config,
      FeatureViewSchema view,
      WriteOptions options,
      DynamoDbClient client) {
    this.config = config;
    this.view = view;
    this.options = options;
    this.retry = options.retryRule(DynamoDbErrors::isTransient, retries);
    this.capacity =
        DynamoDbWriteCapacity.share(config.targetWriteCapacity(), options.parallelWriters());
    this.encoder = new RowEncoder(view, options.keyFormat());
    this.items = new DynamoDbItems(view);
    this.table = config.tableNameTemplate().tableName(view.project(), view.name());
    this.client = client;
    try {
      retrying(
          "prepare DynamoDB table " + table,
          () -> {
            DynamoDbTables.ensure(client, table, config.tags());
            return null;
          },
          WriteStats.NONE,
          0);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    this.pool = Executors.newFixedThreadPool(config.requestsInFlight(), threads(table));
  }

  @Override
  public WriteStats write(List<FeatureRow> batch) {
    if (batch.isEmpty()) {
      return WriteStats.NONE;
    }
    WriteStats before = stats();
    List<EncodedRow> rows = encoder.encodeBatch(batch, stats);
    List<Map<String, AttributeValue>> batchItems = new ArrayList<>(rows.size());
    int[] units = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      Map<String, AttributeValue> item = items.item(rows.get(i));
      long size = DynamoDbItems.size(item);
      units[i] = DynamoDbWriteCapacity.units(size);
      if (size > DynamoDbItems.MAX_ITEM_BYTES) {
        throw new InvalidFeatureValueException(
            "Cannot write entity "
                + entity(batch.get(i))
                + " of feature view "
                + view.name()
                + " to DynamoDB table "
                + table
                + ": its item is "
                + size
                + " bytes, over DynamoDB's limit of "
                + DynamoDbItems.MAX_ITEM_BYTES
                + " bytes (400 KB)",
            stats,
            batch.size());
      }
      batchItems.add(item);
    }
    WriteStats done =
        options.mode() == WriteMode.FORCE
            ? force(rows, batchItems, batch.size())
            : newerOnly(rows, batchItems, units, batch.size());
    stats = stats.plus(done);
    return stats().since(before);
  }

  @Override
  public WriteStats stats() {
    return stats.withRetries(retries);
  }

  /** This writer's share of the target write capacity (tests read its accounting). */
  DynamoDbWriteCapacity writeCapacity() {
    return capacity;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      client.close();
    } catch (RuntimeException e) {
      LOG.warn("Cannot close DynamoDB client for {}", config.location(), e);
    }
  }

  /** One task's outcome, in rows. */
  private record Outcome(long written, long skipped) {}

  private interface Task {
    Outcome run();

    /** What a task that failed had stored before it failed (a force chunk, partly processed). */
    default Outcome stored() {
      return new Outcome(0, 0);
    }
  }

  /**
   * One batch, newer-only: the newest row of each entity; the stored {@code event_ts} of those
   * entities, read with BatchGetItem (unless the previous batch found none stored: a first load
   * reads nothing); then, for each entity whose stored time is older or that has no item, one
   * PutItem conditional on the exact text read (or on the item's absence). Skips cost no write.
   */
  private WriteStats newerOnly(
      List<EncodedRow> rows, List<Map<String, AttributeValue>> all, int[] units, int batchRows) {
    Map<String, Integer> newest = newestPerEntity(rows, all);
    long skipped = rows.size() - newest.size();
    Map<String, String> stored =
        readBeforeWrite ? storedEventTimes(newest.keySet(), batchRows) : null;
    AtomicBoolean sawStored = new AtomicBoolean(stored != null && !stored.isEmpty());
    List<Task> tasks = new ArrayList<>(newest.size());
    for (Map.Entry<String, Integer> entry : newest.entrySet()) {
      String id = entry.getKey();
      Map<String, AttributeValue> item = all.get(entry.getValue());
      Instant ours = rows.get(entry.getValue()).eventTimestamp().truncatedTo(ChronoUnit.MICROS);
      String storedText = stored == null ? null : stored.get(id);
      int itemUnits = units[entry.getValue()];
      Instant storedTime;
      try {
        storedTime = storedText == null ? null : storedTime(id, storedText);
      } catch (InvalidFeatureValueException e) {
        throw failure(e, stats.plus(new WriteStats(0, skipped)), batchRows - skipped);
      }
      if (storedTime != null && !storedTime.isBefore(ours)) {
        skipped++;
        continue;
      }
      tasks.add(
          new Task() {
            @Override
            public Outcome run() {
              PutState state = new PutState(storedText);
              return retry.call(
                  "write entity_id " + id + " to " + table,
                  () -> putIfStill(id, item, itemUnits, ours, state, sawStored));
            }
          });
    }
    WriteStats done = runAll(tasks, batchRows, new WriteStats(0, skipped));
    readBeforeWrite = sawStored.get();
    return done;
  }

  /**
   * Writes {@code item} if the stored item still holds {@code expectedText} ({@code null}: if there
   * is still no item). When another writer changed it since it was read, reads it again, compares
   * again, and tries again: racing writers leave the newest value.
   */
  /**
   * One entity's compare-and-set, kept across the retries of its request: the text the item is
   * expected to hold (null: no item), the rounds so far, and whether a PutItem went unanswered (a
   * timeout or a dropped connection, after which the write may have landed).
   */
  private static final class PutState {
    String expected;
    int rounds;
    boolean unanswered;

    PutState(String expected) {
      this.expected = expected;
    }
  }

  private Outcome putIfStill(
      String id,
      Map<String, AttributeValue> item,
      int units,
      Instant ours,
      PutState state,
      AtomicBoolean sawStored) {
    String ourText = item.get(DynamoDbItems.EVENT_TS).s();
    for (; state.rounds < MAX_ROUNDS; state.rounds++) {
      Map<String, ExpectedAttributeValue> condition =
          state.expected == null
              ? ABSENT
              : Map.of(
                  DynamoDbItems.EVENT_TS,
                  ExpectedAttributeValue.builder()
                      .value(AttributeValue.fromS(state.expected))
                      .build());
      try {
        capacity.charge(units);
        client.putItem(put -> put.tableName(table).item(item).expected(condition));
        return new Outcome(1, 0);
      } catch (ConditionalCheckFailedException changed) {
        sawStored.set(true);
      } catch (RuntimeException e) {
        state.unanswered |= DynamoDbErrors.isTransient(e);
        throw e;
      }
      GetItemResponse now =
          client.getItem(
              get ->
                  get.tableName(table)
                      .key(Map.of(DynamoDbItems.ENTITY_ID, AttributeValue.fromS(id)))
                      .consistentRead(true)
                      .projectionExpression(DynamoDbItems.EVENT_TS));
      state.expected = now.hasItem() && !now.item().isEmpty() ? eventTsText(id, now.item()) : null;
      if (state.unanswered && ourText.equals(state.expected)) {
        return new Outcome(1, 0); // the unanswered attempt landed: our write, not a skip
      }
      if (state.expected != null && !storedTime(id, state.expected).isBefore(ours)) {
        return new Outcome(0, 1);
      }
    }
    throw new IllegalStateException(
        "Cannot write entity_id "
            + id
            + " to "
            + table
            + ": it changed under "
            + MAX_ROUNDS
            + " compare-and-set rounds in a row");
  }

  /**
   * The stored {@code event_ts} of each of {@code ids} that has an item, by BatchGetItem (100 keys
   * a call), on the pool. Strongly consistent: a skip is decided on this read alone, and a stale
   * answer could show a newer time that a force write has since replaced with an older one.
   */
  private Map<String, String> storedEventTimes(java.util.Collection<String> ids, int batchRows) {
    List<Map<String, AttributeValue>> keys =
        ids.stream().map(id -> Map.of(DynamoDbItems.ENTITY_ID, AttributeValue.fromS(id))).toList();
    Map<String, String> stored = new ConcurrentHashMap<>();
    List<Task> reads = new ArrayList<>();
    for (int from = 0; from < keys.size(); from += BATCH_GET_KEYS) {
      List<Map<String, AttributeValue>> chunk =
          keys.subList(from, Math.min(keys.size(), from + BATCH_GET_KEYS));
      reads.add(
          new Task() {
            @Override
            public Outcome run() {
              List<List<Map<String, AttributeValue>>> pending = new ArrayList<>(List.of(chunk));
              retry.call(
                  "read " + chunk.size() + " event times from " + table,
                  () -> {
                    BatchGetItemResponse response =
                        client.batchGetItem(
                            get ->
                                get.requestItems(
                                    Map.of(
                                        table,
                                        KeysAndAttributes.builder()
                                            .keys(pending.get(0))
                                            .consistentRead(true)
                                            .projectionExpression(
                                                DynamoDbItems.ENTITY_ID
                                                    + ", "
                                                    + DynamoDbItems.EVENT_TS)
                                            .build())));
                    for (Map<String, AttributeValue> found :
                        response.responses().getOrDefault(table, List.of())) {
                      String id = found.get(DynamoDbItems.ENTITY_ID).s();
                      stored.put(id, eventTsText(id, found));
                    }
                    KeysAndAttributes unprocessed =
                        response.hasUnprocessedKeys()
                            ? response.unprocessedKeys().get(table)
                            : null;
                    if (unprocessed != null
                        && unprocessed.hasKeys()
                        && !unprocessed.keys().isEmpty()) {
                      pending.set(0, unprocessed.keys());
                      throw new UnprocessedItemsException(unprocessed.keys().size());
                    }
                    return null;
                  });
              return new Outcome(0, 0);
            }
          });
    }
    runAll(reads, batchRows, WriteStats.NONE);
    return stored;
  }

  private String eventTsText(String id, Map<String, AttributeValue> storedItem) {
    AttributeValue value = storedItem.get(DynamoDbItems.EVENT_TS);
    if (value == null || value.s() == null) {
      throw new InvalidFeatureValueException(
          "Cannot compare with the item of entity_id "
              + id
              + " in DynamoDB table "
              + table
              + ": it has no event_ts string; Feast's items always have one");
    }
    return value.s();
  }

  /** A stored {@code event_ts} as an instant, in any form Feast writes. */
  private Instant storedTime(String id, String text) {
    return DynamoDbItems.parseEventTs(text)
        .orElseThrow(
            () ->
                new InvalidFeatureValueException(
                    "Cannot compare with the item of entity_id "
                        + id
                        + " in DynamoDB table "
                        + table
                        + ": its event_ts '"
                        + text
                        + "' is not in a form Feast writes (Python's str() of a datetime)"));
  }

  /**
   * The index of each entity's newest row (BatchWriteItem and BatchGetItem refuse repeated keys).
   */
  private static Map<String, Integer> newestPerEntity(
      List<EncodedRow> rows, List<Map<String, AttributeValue>> all) {
    Map<String, Integer> newest = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      String id = all.get(i).get(DynamoDbItems.ENTITY_ID).s();
      Integer seen = newest.get(id);
      if (seen == null || rows.get(seen).eventTimestamp().isBefore(rows.get(i).eventTimestamp())) {
        newest.put(id, i);
      }
    }
    return newest;
  }

  /** One batch, force: each entity's newest row (the others count as skipped), 25 a call. */
  private WriteStats force(
      List<EncodedRow> rows, List<Map<String, AttributeValue>> all, int batchRows) {
    Map<String, Integer> newest = newestPerEntity(rows, all);
    List<WriteRequest> requests =
        newest.values().stream()
            .map(
                i ->
                    WriteRequest.builder()
                        .putRequest(PutRequest.builder().item(all.get(i)).build())
                        .build())
            .toList();
    List<Task> tasks = new ArrayList<>();
    for (int from = 0; from < requests.size(); from += BATCH_WRITE_ITEMS) {
      List<WriteRequest> chunk =
          requests.subList(from, Math.min(requests.size(), from + BATCH_WRITE_ITEMS));
      AtomicLong processed = new AtomicLong();
      tasks.add(
          new Task() {
            @Override
            public Outcome run() {
              List<List<WriteRequest>> pending = new ArrayList<>(List.of(chunk));
              retry.call(
                  "write " + chunk.size() + " items to " + table,
                  () -> {
                    capacity.charge(pending.get(0));
                    BatchWriteItemResponse response =
                        client.batchWriteItem(
                            request -> request.requestItems(Map.of(table, pending.get(0))));
                    List<WriteRequest> unprocessed =
                        response.hasUnprocessedItems()
                            ? response.unprocessedItems().getOrDefault(table, List.of())
                            : List.of();
                    processed.addAndGet(pending.get(0).size() - unprocessed.size());
                    if (!unprocessed.isEmpty()) {
                      pending.set(0, unprocessed);
                      throw new UnprocessedItemsException(unprocessed.size());
                    }
                    return null;
                  });
              return new Outcome(chunk.size(), 0);
            }

            @Override
            public Outcome stored() {
              return new Outcome(processed.get(), 0);
            }
          });
    }
    return runAll(tasks, batchRows, new WriteStats(0, rows.size() - newest.size()));
  }

  /**
   * Runs every task on the pool and waits for all of them, also when one fails, so the counts are
   * exact; then throws the first failure as the writer's exception kind.
   */
  private WriteStats runAll(List<Task> tasks, int batchRows, WriteStats decided) {
    List<Future<Outcome>> futures = new ArrayList<>(tasks.size());
    for (Task task : tasks) {
      futures.add(pool.submit(task::run));
    }
    long written = decided.written();
    long skipped = decided.skippedNotNewer();
    RuntimeException failure = null;
    for (int i = 0; i < futures.size(); i++) {
      try {
        Outcome outcome = futures.get(i).get();
        written += outcome.written();
        skipped += outcome.skipped();
      } catch (InterruptedException e) {
        futures.forEach(pending -> pending.cancel(true));
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while writing to " + table, e);
      } catch (ExecutionException e) {
        RuntimeException cause =
            e.getCause() instanceof RuntimeException runtime
                ? runtime
                : new IllegalStateException(e.getCause());
        failure = failure == null ? cause : failure;
        written += tasks.get(i).stored().written();
      }
    }
    WriteStats done = new WriteStats(written, skipped);
    if (failure != null) {
      WriteStats acknowledged = stats.plus(done);
      throw failure(failure, acknowledged, batchRows - done.acknowledged());
    }
    return done;
  }

  /** Runs {@code attempt} under the retry rule, turning a final failure into the writer's kinds. */
  private <T> T retrying(
      String what,
      io.sluice.common.retry.Attempt<T> attempt,
      WriteStats acknowledged,
      long notWritten) {
    try {
      return retry.call(what, attempt);
    } catch (RuntimeException e) {
      throw failure(e, acknowledged, notWritten);
    }
  }

  /** The exception to throw for a failure the retry rule gave up on or did not retry. */
  private RuntimeException failure(
      RuntimeException e, WriteStats acknowledgedRows, long notWritten) {
    WriteStats acknowledged = acknowledgedRows.withRetries(retries);
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
    if (e instanceof InvalidFeatureValueException invalid) {
      return invalid.withProgress(acknowledged, notWritten);
    }
    if (e instanceof OnlineStoreException) {
      return e;
    }
    if (e instanceof RetryExhaustedException exhausted) {
      if (exhausted.interrupted()) {
        return exhausted;
      }
      return new OnlineStoreUnavailableException(
          exhausted.getMessage() + " (" + config.location() + ")" + progress,
          exhausted,
          acknowledged,
          notWritten);
    }
    Throwable cause = e.getCause() instanceof RuntimeException ? e.getCause() : e;
    if (cause instanceof AwsServiceException service) {
      // Refused by DynamoDB (no access, bad signature, table missing, invalid request): a
      // configuration problem, not worth retrying the run as is.
      return new InvalidOnlineStoreConfigException(
          "DynamoDB ("
              + config.location()
              + ") refused a request to table "
              + table
              + ": "
              + service.getMessage()
              + progress,
          service,
          acknowledged,
          notWritten);
    }
    if (cause instanceof SdkClientException client) {
      return new InvalidOnlineStoreConfigException(
          "Cannot call DynamoDB ("
              + config.location()
              + "): "
              + client.getMessage()
              + " (credentials come from the AWS SDK's default chain: environment, system"
              + " properties, web identity token, profile, container and instance role)"
              + progress,
          client,
          acknowledged,
          notWritten);
    }
    return e;
  }

  private String entity(FeatureRow row) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < view.joinKeys().size(); i++) {
      out.append(i == 0 ? "" : ", ")
          .append(view.joinKeys().get(i).name())
          .append('=')
          .append(row.joinKeyValues().get(i));
    }
    return view.joinKeys().isEmpty() ? "__dummy_id" : out.toString();
  }

  private static ThreadFactory threads(String table) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread =
          new Thread(runnable, "sluice-dynamodb-" + table + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
