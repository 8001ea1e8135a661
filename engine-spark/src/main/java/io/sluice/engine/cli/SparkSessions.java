package io.sluice.engine.cli;

import io.sluice.engine.config.BatchEngineConfig;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a command. */
final class SparkSessions {
  private SparkSessions() {}

  /**
   * The Spark session: spark-submit's settings win; without a master (a plain {@code java} launch)
   * it runs locally on every core. {@code batch_engine.spark_conf} is applied on top.
   *
   * <p>In local mode the session is lighter by default, as a short job on one machine wants it: no
   * web UI (starting its server, and finding a free port when another job holds 4040, is a good
   * part of a small run's start-up; {@code spark.ui.enabled=true} brings it back), and the driver
   * on the loopback address, so Spark neither looks up the host's address nor warns that its name
   * resolves to loopback. Each setting only applies when nothing else set it.
   */
  static SparkSession forCommand(String appName, BatchEngineConfig engine) {
    return SparkSession.builder().config(conf(new SparkConf(), appName, engine)).getOrCreate();
  }

  /**
   * The task slots of a local master: {@code local} 1, {@code local[N]} N, {@code local[*]} all.
   */
  static int localCores(String master) {
    Matcher slots = LOCAL_SLOTS.matcher(master);
    if (!slots.matches()) {
      return 1;
    }
    return slots.group(1).equals("*")
        ? Runtime.getRuntime().availableProcessors()
        : Math.max(1, Integer.parseInt(slots.group(1)));
  }

  /** The bucket of an {@code s3a://bucket/…} location, else null. */
  static String s3aBucket(String location) {
    if (location == null || !location.startsWith("s3a://")) {
      return null;
    }
    String rest = location.substring("s3a://".length());
    int at = rest.lastIndexOf('@', rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/'));
    String authority = rest.substring(at + 1).split("/", 2)[0];
    return authority.isEmpty() ? null : authority;
  }

  private static final Pattern LOCAL_SLOTS = Pattern.compile("local\\[(\\*|\\d+)(?:,\\d+)?\\]");

  /** {@code conf} (spark-submit's settings) completed as {@link #forCommand} describes. */
  static SparkConf conf(SparkConf conf, String appName, BatchEngineConfig engine) {
    if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setIfMissing("spark.app.name", appName);
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    // A reduced row has a column per feature: its plans are wider than Spark's default of 25
    // fields it prints in full, which only costs a WARN line per run.
    conf.setIfMissing("spark.sql.debug.maxToStringFields", "1000");
    for (Map.Entry<String, String> setting : engine.sparkConf().entrySet()) {
      conf.set(setting.getKey(), setting.getValue());
    }
    String bucket = s3aBucket(engine.stagingLocation());
    if (engine.region() != null && bucket != null) {
      // Feast's batch_engine.region is the staging bucket's region: S3A's per-bucket setting, so a
      // source bucket elsewhere keeps its own.
      conf.setIfMissing(
          "spark.hadoop.fs.s3a.bucket." + bucket + ".endpoint.region", engine.region());
    }
    String master = conf.get("spark.master");
    if (master.equals("local") || master.startsWith("local[")) {
      conf.setIfMissing("spark.sql.shuffle.partitions", Integer.toString(4 * localCores(master)));
      conf.setIfMissing("spark.ui.enabled", "false");
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
    }
    conf.set("spark.sql.session.timeZone", "UTC");
    conf.set("spark.sql.datetime.java8API.enabled", "true");
    return conf;
  }
}
