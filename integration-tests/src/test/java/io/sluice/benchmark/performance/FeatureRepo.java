package io.sluice.benchmark.performance;

import io.sluice.engine.cli.SluiceMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fresh feature repo for one run: {@code feature_store.yaml} with its own SQLite registry and the
 * given online store, and definitions of one view {@code stats} over a generated data set, applied
 * with {@code sluice apply} (run in this JVM: the same command, without a second JVM start).
 */
record FeatureRepo(Path dir, Path config) {
  static final String VIEW = "stats";
  static final String PROJECT = "bench";

  /** {@code onlineStore} is the YAML of the {@code online_store:} section and anything after it. */
  static FeatureRepo create(Path dir, DataSet data, String onlineStore) {
    try {
      Files.createDirectories(dir);
      StringBuilder features = new StringBuilder();
      for (int f = 0; f < data.features(); f++) {
        features.append("      - {name: f").append(f).append(", dtype: FLOAT}\n");
      }
      Path config = dir.resolve("feature_store.yaml");
      Files.writeString(
          config,
          "project: "
              + PROJECT
              + "\nregistry: {registry_type: sql, path: \"sqlite:///"
              + dir.resolve("registry.db").toAbsolutePath()
              + "\"}\n"
              + onlineStore
              + "entity_key_serialization_version: 3\n");
      Path definitions = dir.resolve("definitions.yaml");
      Files.writeString(
          definitions,
          "entities:\n  - {name: driver, join_key: driver_id, value_type: INT64}\n"
              + "data_sources:\n  - {name: rows, type: file, path: "
              + data.dir().toAbsolutePath()
              + ", timestamp_field: ts}\n"
              + "feature_views:\n  - name: "
              + VIEW
              + "\n    entities: [driver]\n    source: rows\n    features:\n"
              + features);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit =
          SluiceMain.execute(
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              "apply",
              "--config",
              config.toString(),
              "--definitions",
              definitions.toString());
      if (exit != 0) {
        throw new IllegalStateException("sluice apply failed with " + exit + ": " + out + err);
      }
      return new FeatureRepo(dir, config);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the feature repo " + dir, e);
    }
  }

  static String redisStore(int port) {
    return "online_store: {type: redis, connection_string: \"127.0.0.1:" + port + "\"}\n";
  }

  static String sqliteStore(Path file) {
    return "online_store: {type: sqlite, path: \"" + file.toAbsolutePath() + "\"}\n";
  }

  static String dynamoDbStore(String endpointUrl) {
    return "online_store:\n  type: dynamodb\n  region: us-east-1\n  endpoint_url: "
        + endpointUrl
        + "\n";
  }
}
