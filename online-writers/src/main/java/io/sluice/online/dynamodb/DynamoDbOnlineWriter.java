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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes a feature view to its DynamoDB table in Feast's item layout ({@link DynamoDbItems}).
 *
 * <p>{@link WriteMode#NEWER_ONLY}: one conditional PutItem per entity, {@code
 * attribute_not_exists(entity_id) OR (contains(event_ts, '+00:00') AND event_ts < :ts)}: Feast's
 * UTC text orders as its time, so the check and the write are one atomic step on the server. A
 * failed condition means the stored item is as new or newer (skipped), or its {@code event_ts} is
 * in another of the forms Feast may have written (a non-UTC offset): then the stored time is read,
 * compared as an instant, and the item replaced only if it still holds that text ({@code event_ts =
 * :stored}), so racing writers still leave the newest value. Up to {@code requests_in_flight}
 * requests run at once on a pool owned by this writer.
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

  static final String NEWER_CONDITION =
      "attribute_not_exists(entity_id) OR (contains(event_ts, :utc) AND event_ts < :ts)";

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
    for (int i = 0; i < rows.size(); i++) {
      Map<String, AttributeValue> item = items.item(rows.get(i));
      long size = DynamoDbItems.size(item);
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
            ? runAll(forceTasks(rows, batchItems), batch.size())
            : runAll(newerOnlyTasks(rows, batchItems), batch.size());
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

    int rows();
  }

  private List<Task> newerOnlyTasks(List<EncodedRow> rows, List<Map<String, AttributeValue>> all) {
    List<Task> tasks = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Map<String, AttributeValue> item = all.get(i);
      Instant eventTime = rows.get(i).eventTimestamp();
      int units = DynamoDbWriteCapacity.units(item);
      tasks.add(
          new Task() {
            @Override
            public Outcome run() {
              return retry.call(
                  "write entity_id " + item.get(DynamoDbItems.ENTITY_ID).s() + " to " + table,
                  () -> {
                    capacity.charge(units);
                    return putIfNewer(item, eventTime);
                  });
            }

            @Override
            public int rows() {
              return 1;
            }
          });
    }
    return tasks;
  }

  /** One entity's newer-only write: see the class comment. */
  private Outcome putIfNewer(Map<String, AttributeValue> item, Instant eventTime) {
    AttributeValue ours = item.get(DynamoDbItems.EVENT_TS);
    AttributeValue key = item.get(DynamoDbItems.ENTITY_ID);
    for (int round = 0; round < MAX_ROUNDS; round++) {
      try {
        client.putItem(
            put ->
                put.tableName(table)
                    .item(item)
                    .conditionExpression(NEWER_CONDITION)
                    .expressionAttributeValues(
                        Map.of(":ts", ours, ":utc", AttributeValue.fromS("+00:00"))));
        return new Outcome(1, 0);
      } catch (ConditionalCheckFailedException notNewerAsText) {
        // Stored text is as new or newer, or in a form that does not order as text.
      }
      GetItemResponse stored =
          client.getItem(
              get ->
                  get.tableName(table)
                      .key(Map.of(DynamoDbItems.ENTITY_ID, key))
                      .consistentRead(true)
                      .projectionExpression(DynamoDbItems.EVENT_TS));
      if (!stored.hasItem() || stored.item().isEmpty()) {
        continue; // deleted in between: try again
      }
      AttributeValue storedTs = stored.item().get(DynamoDbItems.EVENT_TS);
      String storedText = storedTs == null ? null : storedTs.s();
      if (storedText == null) {
        throw new InvalidFeatureValueException(
            "Cannot compare with the item of entity_id "
                + key.s()
                + " in DynamoDB table "
                + table
                + ": it has no event_ts string; Feast's items always have one");
      }
      Instant storedTime =
          DynamoDbItems.parseEventTs(storedText)
              .orElseThrow(
                  () ->
                      new InvalidFeatureValueException(
                          "Cannot compare with the item of entity_id "
                              + key.s()
                              + " in DynamoDB table "
                              + table
                              + ": its event_ts '"
                              + storedText
                              + "' is not in a form Feast writes (Python's str() of a datetime)"));
      if (!storedTime.isBefore(eventTime.truncatedTo(java.time.temporal.ChronoUnit.MICROS))) {
        return new Outcome(0, 1);
      }
      if (DynamoDbItems.ordersAsText(storedText)) {
        continue; // an older UTC text arrived since the check failed: the condition will pass
      }
      try {
        client.putItem(
            put ->
                put.tableName(table)
                    .item(item)
                    .conditionExpression("event_ts = :stored")
                    .expressionAttributeValues(Map.of(":stored", storedTs)));
        return new Outcome(1, 0);
      } catch (ConditionalCheckFailedException changed) {
        // Another writer replaced it meanwhile: compare again.
      }
    }
    throw new IllegalStateException(
        "Cannot write entity_id "
            + key.s()
            + " to "
            + table
            + ": it changed under "
            + MAX_ROUNDS
            + " compare-and-set rounds in a row");
  }

  private List<Task> forceTasks(List<EncodedRow> rows, List<Map<String, AttributeValue>> all) {
    // BatchWriteItem refuses two items with one key in a call: keep each entity's newest row.
    Map<String, Integer> newest = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      String id = all.get(i).get(DynamoDbItems.ENTITY_ID).s();
      Integer seen = newest.get(id);
      if (seen == null || rows.get(seen).eventTimestamp().isBefore(rows.get(i).eventTimestamp())) {
        newest.put(id, i);
      }
    }
    long duplicates = rows.size() - newest.size();
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
      long skipped = from == 0 ? duplicates : 0;
      tasks.add(
          new Task() {
            @Override
            public Outcome run() {
              List<List<WriteRequest>> pending = new ArrayList<>(List.of(chunk));
              retry.call(
                  "write " + chunk.size() + " items to " + table,
                  () -> {
                    capacity.charge(DynamoDbWriteCapacity.units(pending.get(0)));
                    BatchWriteItemResponse response =
                        client.batchWriteItem(
                            request -> request.requestItems(Map.of(table, pending.get(0))));
                    List<WriteRequest> unprocessed =
                        response.hasUnprocessedItems()
                            ? response.unprocessedItems().getOrDefault(table, List.of())
                            : List.of();
                    if (!unprocessed.isEmpty()) {
                      pending.set(0, unprocessed);
                      throw new UnprocessedItemsException(unprocessed.size());
                    }
                    return null;
                  });
              return new Outcome(chunk.size(), skipped);
            }

            @Override
            public int rows() {
              return chunk.size() + (int) skipped;
            }
          });
    }
    return tasks;
  }

  /**
   * Runs every task on the pool and waits for all of them, also when one fails, so the counts are
   * exact; then throws the first failure as the writer's exception kind.
   */
  private WriteStats runAll(List<Task> tasks, int batchRows) {
    List<Future<Outcome>> futures = new ArrayList<>(tasks.size());
    for (Task task : tasks) {
      futures.add(pool.submit(task::run));
    }
    long written = 0;
    long skipped = 0;
    RuntimeException failure = null;
    for (Future<Outcome> future : futures) {
      try {
        Outcome outcome = future.get();
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
