package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.common.json.Json;
import io.sluice.engine.SparkTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo on a copy of conf/demo, checked against the latest rows computed with plain SQL. */
class DemoCommandTest extends SparkTestBase {
  @TempDir Path dir;

  @Test
  void demoMaterializesTwoDaysReadsBackTheLatestValuesAndASecondDemoReusesThem() throws Exception {
    for (String file : List.of("feature_store.yaml", "definitions.yaml")) {
      Files.copy(Path.of("../conf/demo", file), dir.resolve(file));
    }
    CommandResult result = CommandResult.run("demo", "--dir", dir.toString());
    assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
    assertThat(result.out())
        .contains("Generated 24000 rows of driver statistics (500 drivers, 48 hours)")
        .contains(
            "Materialized driver_hourly_stats for [2024-05-01T00:00:00Z, 2024-05-02T00:00:00Z)")
        .contains(
            "Materialized driver_hourly_stats for [2024-05-02T00:00:00Z, 2024-05-03T00:00:00Z)")
        .contains(
            "Recorded intervals of driver_hourly_stats: [[2024-05-01T00:00:00Z, 2024-05-03T00:00:00Z)]");

    String config = dir.resolve("feature_store.yaml").toString();
    assertThat(result.out())
        .doesNotContain("earlier demo")
        .contains(
            "Next, try:\n"
                + "  sluice read --config "
                + config
                + " --feature-view driver_hourly_stats --entity driver_id=1001\n"
                + "  sluice views --config "
                + config
                + "\n  sluice runs --config "
                + config
                + "\n  sluice materialize-incremental --config "
                + config
                + " --feature-view driver_hourly_stats --end 2024-05-03T00:00:00Z\n")
        .contains("  cd " + dir + "\n")
        .contains(
            "  python3 -c 'from feast import FeatureStore; store = FeatureStore(repo_path=\".\");"
                + " print(store.get_online_features(features=[\"driver_hourly_stats:conv_rate\","
                + " \"driver_hourly_stats:acc_rate\", \"driver_hourly_stats:avg_daily_trips\"],"
                + " entity_rows=[{\"driver_id\": 1001}]).to_dict())'\n");

    JsonNode summary = Json.MAPPER.readTree(result.lastLine());
    assertThat(summary.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(summary.get("reused_earlier_state").asBoolean()).isFalse();
    assertThat(summary.get("runs")).hasSize(2);
    for (JsonNode run : summary.get("runs")) {
      assertThat(run.get("rows_written").asLong()).isEqualTo(500);
      assertThat(run.get("rows_dropped").get("null_join_key").asLong()).isPositive();
    }

    List<Row> expected =
        spark()
            .sql(
                "SELECT driver_id, event_timestamp, conv_rate, trips_raw FROM (SELECT *,"
                    + " row_number() OVER (PARTITION BY driver_id ORDER BY event_timestamp DESC,"
                    + " created DESC) AS n FROM parquet.`"
                    + dir.resolve("data/driver_stats.parquet")
                    + "` WHERE driver_id IN (1001, 1002, 1003) AND event_timestamp <"
                    + " TIMESTAMP'2024-05-03 00:00:00') WHERE n = 1 ORDER BY driver_id")
            .collectAsList();
    JsonNode online = summary.get("online_values");
    assertThat(online).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode entity = online.get(i);
      Row want = expected.get(i);
      assertThat(entity.get("entity").get("driver_id").asLong()).isEqualTo(want.getLong(0));
      assertThat(entity.get("event_timestamp").asText()).isEqualTo(want.get(1).toString());
      assertThat((float) entity.get("values").get("conv_rate").asDouble())
          .isEqualTo(want.getFloat(2));
      assertThat(entity.get("values").get("avg_daily_trips").asLong()).isEqualTo(want.getLong(3));
    }

    CommandResult read =
        CommandResult.run(
            "read",
            "--config",
            dir.resolve("feature_store.yaml").toString(),
            "--feature-view",
            "driver_hourly_stats",
            "--entity",
            "driver_id=1001",
            "--entity",
            "driver_id=99");
    assertThat(read.exitCode()).as(read.err()).isZero();
    JsonNode entities = Json.MAPPER.readTree(read.lastLine()).get("entities");
    assertThat(entities.get(0)).isEqualTo(online.get(0));
    assertThat(entities.get(1).get("values").isNull()).isTrue();

    // A second demo in the same folder reuses the state, says so first, and writes nothing new.
    CommandResult again = CommandResult.run("demo", "--dir", dir.toString());
    assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
    assertThat(again.out())
        .startsWith(
            "This folder holds an earlier demo's state: driver_hourly_stats has the recorded"
                + " intervals [[2024-05-01T00:00:00Z, 2024-05-03T00:00:00Z)] in the registry"
                + " jdbc:sqlite:"
                + dir.resolve("data/registry.db")
                + ".\nThe demo reuses it:");
    JsonNode second = Json.MAPPER.readTree(again.lastLine());
    assertThat(second.get("reused_earlier_state").asBoolean()).isTrue();
    for (JsonNode run : second.get("runs")) {
      assertThat(run.get("rows_written").asLong()).isZero();
      assertThat(run.get("rows_skipped_not_newer").asLong()).isEqualTo(500);
    }
    assertThat(second.get("online_values")).isEqualTo(online);
  }
}
