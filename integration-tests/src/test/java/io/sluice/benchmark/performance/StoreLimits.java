package io.sluice.benchmark.performance;

import io.sluice.online.dynamodb.DynamoDbWriterBenchmark;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The limits of the DynamoDB and SQLite runs, each over exactly what the run stored (read back
 * after it):
 *
 * <ul>
 *   <li>DynamoDB: the run's table scanned, then a plain loop of BatchWriteItem calls from one
 *       thread, 25 items a call (unprocessed items sent again), into a new table with the same key
 *       schema on the same server: the server's own rate for unconditional writes, as in {@code
 *       DynamoDbWriterBenchmark}.
 *   <li>SQLite: the run's table read, then a plain JDBC batch insert of the same rows into the same
 *       table layout (its {@code CREATE TABLE} and indexes from {@code sqlite_master}) in a new
 *       file, one transaction per 1000 entities (the writer's batch), one thread (SQLite has one
 *       writer at a time).
 * </ul>
 *
 * Both give rows per second in entities, as the run's figure does.
 */
final class StoreLimits {

  private StoreLimits() {}

  static DynamoDbClient dynamoDb(String endpointUrl) {
    return DynamoDbClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create(endpointUrl))
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
        .httpClient(Apache5HttpClient.create())
        .build();
  }

  /** Items per second copying {@code table} into {@code copy} with the one-thread loop. */
  static double dynamoDbBatchWriteLoop(DynamoDbClient client, String table, String copy) {
    List<Map<String, AttributeValue>> items = new ArrayList<>();
    client
        .scanPaginator(scan -> scan.tableName(table).consistentRead(true))
        .items()
        .forEach(items::add);
    return DynamoDbWriterBenchmark.batchWriteLoop(client, copy, items);
  }

  /** Entities per second inserting the rows of the run's file into a copy of its layout. */
  static double sqliteBatchInsert(Path runFile, Path copyFile) {
    try (Connection source = DriverManager.getConnection("jdbc:sqlite:" + runFile);
        Connection target = DriverManager.getConnection("jdbc:sqlite:" + copyFile);
        Statement read = source.createStatement();
        Statement write = target.createStatement()) {
      String table = null;
      List<String> ddl = new ArrayList<>();
      try (ResultSet schema =
          read.executeQuery(
              "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
                  + " AND name NOT LIKE 'sqlite_%' ORDER BY type DESC")) {
        while (schema.next()) {
          if ("table".equals(schema.getString(1))) {
            if (table != null) {
              throw new IllegalStateException("Expected one table in " + runFile);
            }
            table = schema.getString(2);
          }
          ddl.add(schema.getString(3));
        }
      }
      if (table == null) {
        throw new IllegalStateException("No table in " + runFile);
      }
      write.execute("PRAGMA journal_mode=WAL"); // as the store's writer opens its file
      for (String statement : ddl) {
        write.execute(statement);
      }
      List<Object[]> rows = new ArrayList<>();
      int columns;
      String quoted = "\"" + table.replace("\"", "\"\"") + "\"";
      try (ResultSet all = read.executeQuery("SELECT * FROM " + quoted + " ORDER BY entity_key")) {
        ResultSetMetaData meta = all.getMetaData();
        columns = meta.getColumnCount();
        while (all.next()) {
          Object[] row = new Object[columns];
          for (int c = 0; c < columns; c++) {
            row[c] = all.getObject(c + 1);
          }
          rows.add(row);
        }
      }
      long entities;
      try (ResultSet count =
          read.executeQuery("SELECT count(DISTINCT entity_key) FROM " + quoted)) {
        count.next();
        entities = count.getLong(1);
      }
      int rowsPerTransaction = (int) Math.max(1, rows.size() / Math.max(1, entities) * 1000);
      String placeholders = String.join(", ", java.util.Collections.nCopies(columns, "?"));
      target.setAutoCommit(false);
      long start = System.nanoTime();
      try (PreparedStatement insert =
          target.prepareStatement("INSERT INTO " + quoted + " VALUES (" + placeholders + ")")) {
        int inTransaction = 0;
        for (Object[] row : rows) {
          for (int c = 0; c < columns; c++) {
            insert.setObject(c + 1, row[c]);
          }
          insert.addBatch();
          if (++inTransaction == rowsPerTransaction) {
            insert.executeBatch();
            target.commit();
            inTransaction = 0;
          }
        }
        insert.executeBatch();
        target.commit();
      }
      return entities / ((System.nanoTime() - start) / 1e9);
    } catch (SQLException e) {
      throw new IllegalStateException("The SQLite limit failed on " + runFile, e);
    }
  }
}
