package io.sluice.online.sqlite;

import com.google.protobuf.InvalidProtocolBufferException;
import feast.proto.types.ValueProto.Value;
import io.sluice.common.sqlite.SqliteFiles;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.FeatureViewSchema;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineReader;
import io.sluice.online.format.EntityKeySerializer;
import io.sluice.online.format.ValueDecoder;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one view's rows back from Feast's SQLite online store, as Feast's {@code online_read} does:
 * an entity's event time is that of its last row. {@code event_ts} may be whole epoch seconds
 * (Feast 0.66, Sluice now), REAL seconds or text (files written before); see {@link
 * SqliteEventTimes#decode}.
 */
final class SqliteOnlineReader implements OnlineReader {
  private final FeatureViewSchema view;
  private final EntityKeySerializer keys;
  private final Connection connection;
  private final String table;

  SqliteOnlineReader(
      SqliteOnlineStoreConfig config, FeatureViewSchema view, EntityKeyFormat keyFormat) {
    if (!Files.exists(Path.of(config.path()))) {
      throw new InvalidOnlineStoreConfigException(
          "Cannot read SQLite online store " + config.path() + ": no such file");
    }
    this.view = view;
    this.keys = new EntityKeySerializer(view.joinKeys(), keyFormat);
    this.table = '"' + (view.project() + "_" + view.name()).replace("\"", "\"\"") + '"';
    try {
      this.connection =
          SqliteFiles.openReadOnly(config.path(), SqliteFiles.DEFAULT_BUSY_TIMEOUT_MILLIS);
    } catch (SQLException e) {
      throw new InvalidOnlineStoreConfigException(
          "Cannot open SQLite online store " + config.path() + ": " + e.getMessage());
    }
  }

  @Override
  public Optional<StoredValues> read(List<Object> joinKeyValues) {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT feature_name, value, event_ts FROM " + table + " WHERE entity_key = ?")) {
      select.setBytes(1, keys.serialize(joinKeyValues));
      Map<String, Object> values = new LinkedHashMap<>();
      Instant eventTime = null;
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          values.put(rows.getString(1), ValueDecoder.toJava(Value.parseFrom(rows.getBytes(2))));
          eventTime = SqliteEventTimes.decode(rows.getObject(3));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("Cannot read " + table + ": " + e.getMessage(), e);
      }
      if (eventTime == null) {
        return Optional.empty();
      }
      Map<String, Object> ordered = new LinkedHashMap<>();
      view.features().forEach(feature -> ordered.put(feature.name(), values.get(feature.name())));
      return Optional.of(new StoredValues(eventTime, ordered));
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("no such table")) {
        return Optional.empty();
      }
      throw new IllegalStateException("Cannot read " + table + ": " + e.getMessage(), e);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // Read-only; nothing to lose.
    }
  }
}
