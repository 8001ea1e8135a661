package io.sluice.online.format;

import static java.util.Objects.requireNonNull;

import feast.proto.types.ValueProto.ValueType;
import io.sluice.common.feast.Column;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.InvalidFeatureValueException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Serializes entity keys exactly as Feast does: join keys sorted by name (code-point order), names
 * first, then typed values, all integers little-endian. Version 3 writes the number of keys, then
 * per name its type (STRING) and UTF-8 length before the bytes, then per value its Feast type, byte
 * length and bytes; version 2 writes no key count and no name lengths. The name part depends only
 * on the view, so it is built once; per row only the values are encoded.
 *
 * <p>Written by hand: the layout is Feast's own, not a protobuf serialization, and no library
 * produces it. Immutable and thread-safe.
 */
public final class EntityKeySerializer {
  /** Feast's key for entity-less feature views, and its one value. */
  private static final String DUMMY_JOIN_KEY = "__dummy_id";

  private static final String DUMMY_VALUE = "";

  private final List<Column> sortedKeys;
  private final int[] sortedToInput;
  private final boolean entityless;
  private final byte[] header;

  public EntityKeySerializer(List<Column> joinKeys, EntityKeyFormat format) {
    requireNonNull(format, "format is null");
    requireNonNull(joinKeys, "joinKeys is null");
    this.entityless = joinKeys.isEmpty();
    List<Column> keys =
        entityless ? List.of(new Column(DUMMY_JOIN_KEY, ValueType.Enum.STRING)) : joinKeys;
    for (Column key : keys) {
      checkEntityType(key);
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      order.add(i);
    }
    // Code-point order of the names, as Python sorts them (String.compareTo compares UTF-16
    // units, which differs for characters beyond U+FFFF).
    order.sort(Comparator.comparing(i -> keys.get(i).name(), EntityKeySerializer::byCodePoint));
    this.sortedToInput = order.stream().mapToInt(Integer::intValue).toArray();
    this.sortedKeys = order.stream().map(keys::get).toList();
    this.header = header(sortedKeys, format);
  }

  /**
   * The key bytes for one row's join key values, given in the order of the view's join keys (an
   * empty list for an entity-less view).
   */
  public byte[] serialize(List<Object> joinKeyValues) {
    int expected = entityless ? 0 : sortedKeys.size();
    if (joinKeyValues.size() != expected) {
      throw new IllegalArgumentException(
          "Invalid entity key: expected " + expected + " values, got " + joinKeyValues);
    }
    ByteBuffer buffer = ByteBuffer.allocate(header.length + 64).order(ByteOrder.LITTLE_ENDIAN);
    buffer.put(header);
    for (int i = 0; i < sortedKeys.size(); i++) {
      Column key = sortedKeys.get(i);
      Object value = entityless ? DUMMY_VALUE : joinKeyValues.get(sortedToInput[i]);
      buffer = putValue(buffer, key, value);
    }
    byte[] bytes = new byte[buffer.position()];
    buffer.flip().get(bytes);
    return bytes;
  }

  private static ByteBuffer putValue(ByteBuffer buffer, Column key, Object value) {
    if (value == null) {
      throw new InvalidFeatureValueException(
          "Invalid entity key: join key " + key.name() + " is null");
    }
    byte[] bytes =
        switch (key.type()) {
          case STRING ->
              ValueEncoder.toText(key.name(), key.type(), value).getBytes(StandardCharsets.UTF_8);
          case BYTES -> ValueEncoder.toBytes(key.name(), key.type(), value).toByteArray();
          case INT32 ->
              littleEndian(4).putInt(ValueEncoder.toInt(key.name(), key.type(), value)).array();
          case INT64 ->
              littleEndian(8).putLong(ValueEncoder.toLong(key.name(), key.type(), value)).array();
          case UNIX_TIMESTAMP ->
              littleEndian(8)
                  .putLong(ValueEncoder.toEpochSeconds(key.name(), key.type(), value))
                  .array();
          default -> throw new IllegalStateException("unchecked entity type " + key.type());
        };
    ByteBuffer target = ensureCapacity(buffer, 8 + bytes.length);
    target.putInt(key.type().getNumber());
    target.putInt(bytes.length);
    target.put(bytes);
    return target;
  }

  private static byte[] header(List<Column> keys, EntityKeyFormat format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (format == EntityKeyFormat.V3) {
      out.writeBytes(littleEndian(4).putInt(keys.size()).array());
    }
    for (Column key : keys) {
      byte[] name = key.name().getBytes(StandardCharsets.UTF_8);
      out.writeBytes(littleEndian(4).putInt(ValueType.Enum.STRING_VALUE).array());
      if (format == EntityKeyFormat.V3) {
        out.writeBytes(littleEndian(4).putInt(name.length).array());
      }
      out.writeBytes(name);
    }
    return out.toByteArray();
  }

  private static void checkEntityType(Column key) {
    switch (key.type()) {
      case STRING, BYTES, INT32, INT64, UNIX_TIMESTAMP -> {}
      default ->
          throw new IllegalArgumentException(
              "Invalid join key "
                  + key.name()
                  + ": type "
                  + key.type()
                  + " cannot be an entity key (use STRING, BYTES, INT32, INT64 or UNIX_TIMESTAMP)");
    }
  }

  private static int byCodePoint(String a, String b) {
    return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  private static ByteBuffer littleEndian(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer ensureCapacity(ByteBuffer buffer, int extra) {
    if (buffer.remaining() >= extra) {
      return buffer;
    }
    ByteBuffer larger =
        ByteBuffer.allocate((buffer.capacity() + extra) * 2).order(ByteOrder.LITTLE_ENDIAN);
    buffer.flip();
    larger.put(buffer);
    return larger;
  }
}
