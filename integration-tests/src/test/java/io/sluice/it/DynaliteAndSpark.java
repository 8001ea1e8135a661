package io.sluice.it;

import io.sluice.testing.DynaliteServer;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the in-process DynamoDB end-to-end tests share: dynalite, a raw client on it, a local Spark
 * session, and AWS credentials as system properties, which the SDK's default chain reads first, so
 * the writers in this JVM use them whatever the developer's environment or ~/.aws hold (dynalite
 * accepts any).
 */
record DynaliteAndSpark(DynaliteServer dynalite, DynamoDbClient raw, SparkSession spark)
    implements AutoCloseable {

  static DynaliteAndSpark start() {
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
    DynaliteServer dynalite = DynaliteServer.start();
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    return new DynaliteAndSpark(dynalite, DynamoDbRepo.rawClient(dynalite.endpointUrl()), spark);
  }

  @Override
  public void close() {
    spark.stop();
    raw.close();
    dynalite.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }
}
