package io.sluice.engine.cli;

import io.sluice.engine.config.BatchEngineConfig;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a command. */
final class SparkSessions {
  private SparkSessions() {}

  /**
   * The Spark session: spark-submit's settings win; without a master (a plain {@code java} launch)
   * it runs locally on every core. {@code batch_engine.spark_conf} is applied on top.
   */
  static SparkSession forCommand(String appName, BatchEngineConfig engine) {
    SparkConf conf = new SparkConf();
    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    for (Map.Entry<String, String> setting : engine.sparkConf().entrySet()) {
      conf.set(setting.getKey(), setting.getValue());
    }
    conf.set("spark.sql.session.timeZone", "UTC");
    conf.set("spark.sql.datetime.java8API.enabled", "true");
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
