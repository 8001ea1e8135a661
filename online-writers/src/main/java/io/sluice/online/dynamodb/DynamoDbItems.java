package io.sluice.online.dynamodb;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.sluice.online.FeatureViewSchema;
import io.sluice.online.format.RowEncoder.EncodedRow;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Feast's DynamoDB item, as its {@code _to_client_write_item} builds it: {@code entity_id} (S, see
 * {@link DynamoDbKeys#entityId}), {@code event_ts} (S, Python's {@code str()} of the UTC event
 * time: {@code yyyy-MM-dd HH:mm:ss[.ffffff]+00:00}) and {@code values} (M: feature name → B, the
 * serialized {@code Value}).
 */
final class DynamoDbItems {
  static final String ENTITY_ID = "entity_id";
  static final String EVENT_TS = "event_ts";
  static final String VALUES = "values";

  /** DynamoDB's limit on one item, names and values included. */
  static final int MAX_ITEM_BYTES = 400 * 1024;

  /**
   * Python's {@code str()} of an aware datetime (what Feast stores): date, time, optional fraction
   * (6 digits; 9 from a pandas Timestamp), UTC offset with optional seconds and microseconds.
   */
  private static final Pattern PYTHON_DATETIME =
      Pattern.compile(
          "(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2})(?:\\.(\\d{1,9}))?"
              + "(?:([+-])(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,6}))?)?)?");

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final FeatureViewSchema view;
  private final String[] featureNames;

  DynamoDbItems(FeatureViewSchema view) {
    this.view = view;
    this.featureNames =
        view.features().stream().map(feature -> feature.name()).toArray(String[]::new);
  }

  /** The item of one encoded row. */
  Map<String, AttributeValue> item(EncodedRow row) {
    Map<String, AttributeValue> values = new LinkedHashMap<>();
    for (int i = 0; i < featureNames.length; i++) {
      values.put(featureNames[i], AttributeValue.fromB(SdkBytes.fromByteArray(row.values()[i])));
    }
    Map<String, AttributeValue> item = new LinkedHashMap<>();
    item.put(ENTITY_ID, AttributeValue.fromS(DynamoDbKeys.entityId(row.entityKey())));
    item.put(EVENT_TS, AttributeValue.fromS(DynamoDbKeys.eventTimestampText(row.eventTimestamp())));
    item.put(VALUES, AttributeValue.fromM(values));
    return item;
  }

  /** The item's size as DynamoDB counts it against {@link #MAX_ITEM_BYTES}. */
  static long size(Map<String, AttributeValue> item) {
    long size = 0;
    for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
      size += attribute.getKey().getBytes(UTF_8).length + size(attribute.getValue());
    }
    return size;
  }

  private static long size(AttributeValue value) {
    if (value.s() != null) {
      return value.s().getBytes(UTF_8).length;
    }
    if (value.b() != null) {
      return value.b().asByteArrayUnsafe().length;
    }
    if (value.hasM()) {
      long size = 3;
      for (Map.Entry<String, AttributeValue> entry : value.m().entrySet()) {
        size += entry.getKey().getBytes(UTF_8).length + size(entry.getValue()) + 1;
      }
      return size;
    }
    return 1;
  }

  FeatureViewSchema view() {
    return view;
  }

  /**
   * The instant of a stored {@code event_ts} in any form Python's {@code str()} of a datetime takes
   * (Feast stores {@code str(make_tzaware(ts))}, which keeps a non-UTC offset when Feast was given
   * an aware time in another zone); a text without an offset is UTC, as Feast assumes. Empty for
   * any other text.
   */
  static Optional<Instant> parseEventTs(String eventTs) {
    Matcher m = PYTHON_DATETIME.matcher(eventTs);
    if (!m.matches()) {
      return Optional.empty();
    }
    LocalDateTime local;
    try {
      local = LocalDateTime.parse(m.group(1), SECONDS);
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
    String fraction = m.group(2) == null ? "" : m.group(2);
    long nanos = fraction.isEmpty() ? 0 : Long.parseLong((fraction + "000000000").substring(0, 9));
    Instant instant = local.toInstant(ZoneOffset.UTC).plusNanos(nanos);
    if (m.group(3) != null) {
      long offsetNanos =
          (Long.parseLong(m.group(4)) * 3600 + Long.parseLong(m.group(5)) * 60) * 1_000_000_000L;
      if (m.group(6) != null) {
        offsetNanos += Long.parseLong(m.group(6)) * 1_000_000_000L;
      }
      if (m.group(7) != null) {
        offsetNanos += Long.parseLong((m.group(7) + "000000").substring(0, 6)) * 1000L;
      }
      // Local time = UTC + offset, so UTC = local - offset.
      instant =
          "+".equals(m.group(3)) ? instant.minusNanos(offsetNanos) : instant.plusNanos(offsetNanos);
    }
    return Optional.of(instant);
  }
}
