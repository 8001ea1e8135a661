package io.sluice.engine;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One local Spark session per test JVM, through spark-testing-base, with the settings Sluice's runs
 * use (UTC session time zone, java.time values).
 */
public abstract class SparkTestBase extends JavaDataFrameSuiteBase {
  @Override
  public boolean enableHiveSupport() {
    return false;
  }

  @BeforeEach
  void startSpark() {
    runBefore();
    spark().conf().set("spark.sql.session.timeZone", "UTC");
    spark().conf().set("spark.sql.datetime.java8API.enabled", "true");
    spark().conf().set("spark.sql.shuffle.partitions", "4");
  }

  @AfterAll
  static void stopSpark() {
    JavaDataFrameSuiteBase.runAfterClass();
  }
}
