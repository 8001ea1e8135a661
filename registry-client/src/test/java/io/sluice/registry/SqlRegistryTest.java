package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import feast.proto.core.DataSourceProto.DataSource;
import feast.proto.core.FeatureViewProto.FeatureView;
import feast.proto.types.ValueProto.ValueType;
import io.sluice.common.feast.Column;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Behaviour of {@link SqlRegistry} on each real database. */
class SqlRegistryTest {
  private static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");

  @TempDir Path folder;

  private final String project = "p_" + UUID.randomUUID().toString().replace("-", "");

  private static TimeInterval hours(int start, int end) {
    return new TimeInterval(T0.plusSeconds(3600L * start), T0.plusSeconds(3600L * end));
  }

  /** Records {@code window} the way a run does: a run row started, then completed. */
  private void record(SqlRegistry registry, TimeInterval window) {
    registry.completeRun(
        registry.startRun(project, "driver_hourly_stats", window, null), RunStats.NONE);
  }

  private Path definitions() throws Exception {
    return Files.writeString(
        folder.resolve("definitions.yaml"), DefinitionsFileTest.DRIVER_DEFINITIONS);
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void appliedDefinitionsReadBack(TestDatabase database) throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.apply(project, definitions());

      assertThat(registry.featureViewNames(project))
          .containsExactly("driver_hourly_stats", "global_stats");
      FeatureViewDefinition view = registry.featureView(project, "driver_hourly_stats");
      assertThat(view.project()).isEqualTo(project);
      assertThat(view.entityNames()).containsExactly("driver");
      assertThat(view.entityColumns()).extracting(Column::name).containsExactly("driver_id");
      assertThat(view.entityColumns().get(0).type()).isEqualTo(ValueType.Enum.INT64);
      assertThat(view.features())
          .extracting(Column::name)
          .containsExactly("conv_rate", "avg_daily_trips", "history");
      assertThat(view.ttl()).isEqualTo(Duration.ofDays(1));
      assertThat(view.online()).isTrue();
      assertThat(view.materializationIntervals()).isEmpty();
      DataSourceDefinition source = view.batchSource();
      assertThat(source.kind()).isEqualTo(SourceKind.FILE);
      assertThat(source.path())
          .isEqualTo(folder.toAbsolutePath().resolve("data/driver_stats.parquet").toString());
      assertThat(source.fileFormat()).isEqualTo("parquet");
      assertThat(source.timestampField()).isEqualTo("event_timestamp");
      assertThat(source.createdTimestampColumn()).isEqualTo("created");
      assertThat(source.datePartitionColumn()).isEqualTo("dt");
      assertThat(source.fieldMapping()).isEqualTo(Map.of("trips_raw", "avg_daily_trips"));

      FeatureViewDefinition global = registry.featureView(project, "global_stats");
      assertThat(global.isEntityless()).isTrue();
      assertThat(global.entityNames()).isEmpty();
      assertThat(global.batchSource().kind()).isEqualTo(SourceKind.SPARK_TABLE);
      assertThat(global.batchSource().table()).isEqualTo("warehouse.events");
      assertThat(registry.entities(project))
          .extracting(EntityDefinition::name)
          .containsExactlyInAnyOrder("driver", FeatureViewDefinition.DUMMY_ENTITY_NAME);
      assertThat(registry.dataSources(project))
          .extracting(DataSourceDefinition::name)
          .containsExactly("driver_stats", "events");
    }
    try (Connection connection = JdbcAccess.connect(database, folder)) {
      assertThat(JdbcAccess.metadata(connection, project, "project_uuid")).isPresent();
      assertThat(JdbcAccess.metadata(connection, project, "last_updated_timestamp")).isPresent();
      assertThat(JdbcAccess.count(connection, "projects", project)).isEqualTo(1);
      FeatureView stored =
          FeatureView.parseFrom(
              JdbcAccess.featureViewProto(connection, project, "driver_hourly_stats"));
      assertThat(stored.getSpec().getBatchSource().getType())
          .isEqualTo(DataSource.SourceType.BATCH_FILE);
      assertThat(stored.getSpec().getBatchSource().getDataSourceClassType())
          .isEqualTo(FeastProtos.FILE_SOURCE_CLASS);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void recordedIntervalsCoalesceAndMarkTheViewAvailable(TestDatabase database) throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.apply(project, definitions());

      record(registry, hours(0, 1));
      record(registry, hours(2, 3));
      record(registry, hours(1, 2));
      record(registry, hours(5, 7));
      record(registry, hours(6, 8));

      assertThat(registry.intervals(project, "driver_hourly_stats"))
          .containsExactly(hours(0, 3), hours(5, 8));
      assertThat(
              TimeIntervals.gaps(registry.intervals(project, "driver_hourly_stats"), hours(0, 10)))
          .containsExactly(hours(3, 5), hours(8, 10));
      assertThat(
              TimeIntervals.coverage(
                  registry.intervals(project, "driver_hourly_stats"), hours(2, 6)))
          .containsExactly(hours(2, 3), hours(5, 6));
    }
    try (Connection connection = JdbcAccess.connect(database, folder)) {
      FeatureView stored =
          FeatureView.parseFrom(
              JdbcAccess.featureViewProto(connection, project, "driver_hourly_stats"));
      assertThat(stored.getMeta().getMaterializationIntervalsCount()).isEqualTo(2);
      assertThat(
              stored
                  .getMeta()
                  .getUnknownFields()
                  .getField(FeastProtos.META_STATE_FIELD)
                  .getVarintList())
          .containsExactly(FeastProtos.STATE_AVAILABLE_ONLINE);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void featureViewsListsEveryViewWithItsIntervalsAndFeastState(TestDatabase database)
      throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.apply(project, definitions());
      record(registry, hours(0, 2));
      record(registry, hours(4, 5));

      List<FeatureViewDefinition> views = registry.featureViews(project);

      assertThat(views)
          .extracting(FeatureViewDefinition::name)
          .containsExactly("driver_hourly_stats", "global_stats");
      assertThat(views.get(0).materializationIntervals()).containsExactly(hours(0, 2), hours(4, 5));
      assertThat(views.get(0).state()).isEqualTo(FeatureViewState.AVAILABLE_ONLINE);
      assertThat(views.get(0).entityNames()).containsExactly("driver");
      assertThat(views.get(0).features()).hasSize(3);
      assertThat(views.get(1).materializationIntervals()).isEmpty();
      assertThat(views.get(1).state()).isEqualTo(FeatureViewState.STATE_UNSPECIFIED);
      assertThat(views.get(1).isEntityless()).isTrue();
      assertThat(registry.featureViews("p_no_such_project")).isEmpty();

      // States Feast 0.66 writes (feast apply leaves CREATED), and one from a newer Feast.
      try (Connection connection = JdbcAccess.connect(database, folder)) {
        JdbcAccess.setState(connection, project, "global_stats", 1);
      }
      assertThat(registry.featureViews(project).get(1).state()).isEqualTo(FeatureViewState.CREATED);
      assertThat(registry.featureView(project, "global_stats").state())
          .isEqualTo(FeatureViewState.CREATED);
      try (Connection connection = JdbcAccess.connect(database, folder)) {
        JdbcAccess.setState(connection, project, "global_stats", 9);
      }
      assertThat(registry.featureView(project, "global_stats").state())
          .isEqualTo(FeatureViewState.UNRECOGNIZED);
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void recentRunsAreNewestFirstAndLimited(TestDatabase database) throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.apply(project, definitions());
      String first = registry.startRun(project, "driver_hourly_stats", hours(0, 1), "app-1");
      registry.completeRun(first, RunStats.NONE);
      String second = registry.startRun(project, "global_stats", hours(0, 1), "app-2");
      String third = registry.startRun(project, "driver_hourly_stats", hours(1, 2), "app-3");
      registry.failRun(third, RunStats.NONE, "Cannot reach Redis");

      assertThat(registry.recentRuns(project, 10))
          .extracting(MaterializationRun::runId)
          .containsExactly(third, second, first);
      assertThat(registry.recentRuns(project, 2))
          .extracting(MaterializationRun::runId)
          .containsExactly(third, second);
      List<MaterializationRun> driver = registry.recentRuns(project, "driver_hourly_stats", 10);
      assertThat(driver).extracting(MaterializationRun::runId).containsExactly(third, first);
      assertThat(driver)
          .extracting(MaterializationRun::status)
          .containsExactly(RunStatus.FAILED, RunStatus.SUCCEEDED);
      assertThat(registry.recentRuns(project, "driver_hourly_stats", 1))
          .extracting(MaterializationRun::runId)
          .containsExactly(third);
      assertThat(registry.recentRuns(project, "nope", 5)).isEmpty();
      assertThatThrownBy(() -> registry.recentRuns(project, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("limit must be >= 1: 0");
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void reapplyKeepsIntervalsAndCreatedTimestamp(TestDatabase database) throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.apply(project, definitions());
      record(registry, hours(0, 4));
      FeatureView before;
      try (Connection connection = JdbcAccess.connect(database, folder)) {
        before =
            FeatureView.parseFrom(
                JdbcAccess.featureViewProto(connection, project, "driver_hourly_stats"));
      }

      Files.writeString(
          folder.resolve("definitions.yaml"),
          DefinitionsFileTest.DRIVER_DEFINITIONS.replace("ttl: 1d", "ttl: 2h"));
      registry.apply(project, folder.resolve("definitions.yaml"));

      FeatureViewDefinition view = registry.featureView(project, "driver_hourly_stats");
      assertThat(view.ttl()).isEqualTo(Duration.ofHours(2));
      assertThat(view.materializationIntervals()).containsExactly(hours(0, 4));
      try (Connection connection = JdbcAccess.connect(database, folder)) {
        FeatureView after =
            FeatureView.parseFrom(
                JdbcAccess.featureViewProto(connection, project, "driver_hourly_stats"));
        assertThat(after.getMeta().getCreatedTimestamp())
            .isEqualTo(before.getMeta().getCreatedTimestamp());
        assertThat(after.getMeta().getUnknownFields())
            .isEqualTo(before.getMeta().getUnknownFields());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void runHistoryRecordsSuccessWithItsIntervalAndFailureWithItsError(TestDatabase database)
      throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.apply(project, definitions());

      String succeeded = registry.startRun(project, "driver_hourly_stats", hours(0, 1), "app-1");
      assertThat(registry.run(succeeded))
          .hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.RUNNING));
      Map<String, Double> stages = new java.util.LinkedHashMap<>();
      stages.put("plan", 0.5);
      stages.put("write", 0.25);
      stages.put("record", 0.01);
      stages.put("total", 1.5);
      RunStats stats = new RunStats(100, 2, 40, 38, 2, 4, stages);
      registry.completeRun(succeeded, stats);
      registry.completeRun(succeeded, stats);
      String failed = registry.startRun(project, "driver_hourly_stats", hours(1, 2), null);
      registry.failRun(failed, RunStats.NONE, "Cannot reach Redis at 127.0.0.1:1");

      assertThat(registry.intervals(project, "driver_hourly_stats")).containsExactly(hours(0, 1));
      List<MaterializationRun> runs = registry.runs(project, "driver_hourly_stats");
      assertThat(runs)
          .extracting(MaterializationRun::status)
          .containsExactlyInAnyOrder(RunStatus.SUCCEEDED, RunStatus.FAILED);
      MaterializationRun done = registry.run(succeeded).orElseThrow();
      assertThat(done.stats()).isEqualTo(stats);
      assertThat(done.stats().stageSeconds().keySet())
          .containsExactly("plan", "write", "record", "total");
      assertThat(done.window()).isEqualTo(hours(0, 1));
      assertThat(done.sparkApplicationId()).isEqualTo("app-1");
      assertThat(done.host()).isNotBlank();
      assertThat(done.finishedAt()).isNotNull();
      MaterializationRun broken = registry.run(failed).orElseThrow();
      assertThat(broken.error()).isEqualTo("Cannot reach Redis at 127.0.0.1:1");
      assertThatThrownBy(() -> registry.completeRun(failed, stats))
          .isInstanceOf(RegistryConfigurationException.class)
          .hasMessage("Cannot complete run " + failed + ": it is already marked FAILED");
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void unknownViewListsTheExistingOnesAndWritesNothing(TestDatabase database) throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.apply(project, definitions());

      assertThatThrownBy(() -> registry.featureView(project, "driver_stats_hourly"))
          .isInstanceOf(FeatureViewNotFoundException.class)
          .hasMessage(
              "Cannot find feature view 'driver_stats_hourly' in project '"
                  + project
                  + "': existing views are driver_hourly_stats, global_stats");
      String runId = registry.startRun(project, "nope", hours(0, 1), null);
      assertThatThrownBy(() -> registry.completeRun(runId, RunStats.NONE))
          .isInstanceOf(FeatureViewNotFoundException.class)
          .hasMessageEndingWith("existing views are driver_hourly_stats, global_stats");
      assertThat(registry.run(runId).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
      assertThat(registry.intervals(project, "driver_hourly_stats")).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void emptyOrReversedWindowIsRejectedBeforeAnyWrite(TestDatabase database) throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.apply(project, definitions());

      assertThatThrownBy(
              () ->
                  registry.startRun(
                      project,
                      "driver_hourly_stats",
                      new TimeInterval(hours(3, 4).end(), hours(3, 4).start()),
                      null))
          .isInstanceOf(RegistryConfigurationException.class)
          .hasMessage(
              "Invalid window [2024-03-01T04:00:00Z, 2024-03-01T03:00:00Z): start must be before end");
      assertThat(registry.intervals(project, "driver_hourly_stats")).isEmpty();
      assertThat(registry.runs(project, "driver_hourly_stats")).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void malformedDefinitionsWriteNothing(TestDatabase database) throws Exception {
    try (SqlRegistry registry = SqlRegistry.open(database.config(folder))) {
      registry.apply(project, definitions());
      Path broken =
          Files.writeString(
              folder.resolve("broken.yaml"),
              DefinitionsFileTest.DRIVER_DEFINITIONS
                  .replace("ttl: 1d", "ttl: 3h")
                  .replace("dtype: DOUBLE", "dtype: Decimal"));

      assertThatThrownBy(() -> registry.apply(project, broken))
          .isInstanceOf(DefinitionsFileException.class)
          .hasMessageContaining(
              "line 33, field feature_views[1].features[0].dtype: unknown dtype 'Decimal'");
      assertThat(registry.featureView(project, "driver_hourly_stats").ttl())
          .isEqualTo(Duration.ofDays(1));
    }
  }

  /** Plain JDBC access for assertions on what is stored, bypassing the client under test. */
  static final class JdbcAccess {
    static Connection connect(TestDatabase database, Path folder) throws Exception {
      RegistryConfig config = database.config(folder);
      java.util.Properties properties = new java.util.Properties();
      if (config.user() != null) {
        properties.setProperty("user", config.user());
        properties.setProperty("password", config.password());
      }
      return java.sql.DriverManager.getConnection(config.jdbcUrl(), properties);
    }

    static Optional<String> metadata(Connection connection, String project, String key)
        throws Exception {
      try (PreparedStatement select =
          connection.prepareStatement(
              "SELECT metadata_value FROM feast_metadata WHERE project_id = ? AND metadata_key = ?")) {
        select.setString(1, project);
        select.setString(2, key);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
      }
    }

    static int count(Connection connection, String table, String project) throws Exception {
      try (PreparedStatement select =
          connection.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE project_id = ?")) {
        select.setString(1, project);
        try (ResultSet rows = select.executeQuery()) {
          rows.next();
          return rows.getInt(1);
        }
      }
    }

    /** Stores {@code state} in the view's {@code meta.state} (field 6), as Feast 0.66 does. */
    static void setState(Connection connection, String project, String name, long state)
        throws Exception {
      FeatureView stored = FeatureView.parseFrom(featureViewProto(connection, project, name));
      FeatureView.Builder builder = stored.toBuilder();
      builder
          .getMetaBuilder()
          .setUnknownFields(
              com.google.protobuf.UnknownFieldSet.newBuilder(stored.getMeta().getUnknownFields())
                  .clearField(FeastProtos.META_STATE_FIELD)
                  .addField(
                      FeastProtos.META_STATE_FIELD,
                      com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                          .addVarint(state)
                          .build())
                  .build());
      try (PreparedStatement update =
          connection.prepareStatement(
              "UPDATE feature_views SET feature_view_proto = ?"
                  + " WHERE project_id = ? AND feature_view_name = ?")) {
        update.setBytes(1, builder.build().toByteArray());
        update.setString(2, project);
        update.setString(3, name);
        assertThat(update.executeUpdate()).isEqualTo(1);
      }
    }

    static byte[] featureViewProto(Connection connection, String project, String name)
        throws Exception {
      try (PreparedStatement select =
          connection.prepareStatement(
              "SELECT feature_view_proto FROM feature_views WHERE project_id = ? AND feature_view_name = ?")) {
        select.setString(1, project);
        select.setString(2, name);
        try (ResultSet rows = select.executeQuery()) {
          assertThat(rows.next()).as("feature view %s stored", name).isTrue();
          return rows.getBytes(1);
        }
      }
    }
  }
}
