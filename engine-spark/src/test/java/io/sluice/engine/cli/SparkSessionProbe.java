package io.sluice.engine.cli;

import org.apache.spark.sql.SparkSession;

/**
 * Runs one command line in a JVM of its own and then says, on its last line of stdout, whether a
 * Spark session exists: a test's way to see that a command failed before starting Spark, in a JVM
 * where nothing else could have started one. Started by {@link BeforeSparkTest}.
 */
public final class SparkSessionProbe {
  static final String PREFIX = "probe: ";

  private SparkSessionProbe() {}

  public static void main(String[] args) {
    int exitCode = SluiceMain.run(args);
    boolean session =
        SparkSession.getDefaultSession().isDefined() || SparkSession.getActiveSession().isDefined();
    System.out.println(PREFIX + "exit_code=" + exitCode + " spark_session=" + session);
    System.out.flush();
    System.exit(0);
  }
}
