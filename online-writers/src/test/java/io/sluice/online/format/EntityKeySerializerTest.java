package io.sluice.online.format;

import static feast.proto.types.ValueProto.ValueType.Enum.BYTES;
import static feast.proto.types.ValueProto.ValueType.Enum.FLOAT;
import static feast.proto.types.ValueProto.ValueType.Enum.INT32;
import static feast.proto.types.ValueProto.ValueType.Enum.INT64;
import static feast.proto.types.ValueProto.ValueType.Enum.STRING;
import static feast.proto.types.ValueProto.ValueType.Enum.UNIX_TIMESTAMP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.io.BaseEncoding;
import io.sluice.common.feast.Column;
import io.sluice.online.EntityKeyFormat;
import io.sluice.online.InvalidFeatureValueException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntityKeySerializerTest {
  private static final BaseEncoding HEX = BaseEncoding.base16().lowerCase();

  private static String v3(List<Column> keys, Object... values) {
    return HEX.encode(
        new EntityKeySerializer(keys, EntityKeyFormat.V3).serialize(Arrays.asList(values)));
  }

  @Test
  void int32KeyMatchesFeastVector() {
    assertThat(v3(List.of(new Column("entity", INT32)), 1))
        .isEqualTo(
            "01000000"
                + "02000000"
                + "06000000"
                + "656e74697479"
                + "03000000"
                + "04000000"
                + "01000000");
  }

  @Test
  void int64KeyMatchesFeastVector() {
    assertThat(v3(List.of(new Column("driver_id", INT64)), 1001L))
        .isEqualTo(
            "01000000"
                + "02000000"
                + "09000000"
                + "6472697665725f6964"
                + "04000000"
                + "08000000"
                + "e903000000000000");
  }

  @Test
  void int32ValueOfKeyDeclaredInt64IsEncodedAsInt64() {
    assertThat(v3(List.of(new Column("driver_id", INT64)), 1001))
        .isEqualTo(v3(List.of(new Column("driver_id", INT64)), 1001L));
  }

  @Test
  void stringBytesAndTimestampKeys() {
    assertThat(v3(List.of(new Column("k", STRING)), "héllo"))
        .isEqualTo(
            "01000000" + "02000000" + "01000000" + "6b" + "02000000" + "06000000" + "68c3a96c6c6f");
    assertThat(v3(List.of(new Column("k", BYTES)), new byte[] {(byte) 0xff, 0x00}))
        .isEqualTo("01000000" + "02000000" + "01000000" + "6b" + "01000000" + "02000000" + "ff00");
    // Unix timestamps are whole epoch seconds, 8 bytes, type 8.
    assertThat(v3(List.of(new Column("k", UNIX_TIMESTAMP)), Instant.ofEpochSecond(258, 999)))
        .isEqualTo(
            "01000000"
                + "02000000"
                + "01000000"
                + "6b"
                + "08000000"
                + "08000000"
                + "0201000000000000");
  }

  @Test
  void severalKeysAreSortedByNameWithNamesBeforeValues() {
    List<Column> declared = List.of(new Column("b", INT32), new Column("a", STRING));
    assertThat(v3(declared, 7, "x"))
        .isEqualTo(
            "02000000"
                + "02000000"
                + "01000000"
                + "61"
                + "02000000"
                + "01000000"
                + "62"
                + "02000000"
                + "01000000"
                + "78"
                + "03000000"
                + "04000000"
                + "07000000");
  }

  @Test
  void namesSortByCodePointAsPythonDoes() {
    // U+FF21 sorts before U+1F600 by code point, after it by UTF-16 unit (0xFF21 > 0xD83D).
    String fullwidthA = "\uFF21";
    String emoji = "\uD83D\uDE00";
    List<Column> declared = List.of(new Column(emoji, INT32), new Column(fullwidthA, INT32));
    assertThat(v3(declared, 1, 2)).startsWith("02000000" + "02000000" + "03000000" + "efbca1");
  }

  @Test
  void version2HasNoKeyCountAndNoNameLengths() {
    byte[] bytes =
        new EntityKeySerializer(
                List.of(new Column("b", INT32), new Column("a", STRING)), EntityKeyFormat.V2)
            .serialize(List.of(7, "x"));
    assertThat(HEX.encode(bytes))
        .isEqualTo(
            "02000000"
                + "61"
                + "02000000"
                + "62"
                + "02000000"
                + "01000000"
                + "78"
                + "03000000"
                + "04000000"
                + "07000000");
  }

  @Test
  void entitylessViewsUseFeastsDummyKey() {
    assertThat(v3(List.of()))
        .isEqualTo(
            "01000000"
                + "02000000"
                + "0a000000"
                + HEX.encode("__dummy_id".getBytes())
                + "02000000"
                + "00000000");
  }

  @Test
  void nullJoinKeyIsAnErrorNamingTheKey() {
    EntityKeySerializer serializer =
        new EntityKeySerializer(List.of(new Column("driver_id", INT64)), EntityKeyFormat.V3);
    assertThatThrownBy(() -> serializer.serialize(Arrays.asList((Object) null)))
        .isInstanceOf(InvalidFeatureValueException.class)
        .hasMessage("Invalid entity key: join key driver_id is null");
  }

  @Test
  void valueThatDoesNotFitTheKeyTypeIsAnError() {
    EntityKeySerializer serializer =
        new EntityKeySerializer(List.of(new Column("driver_id", INT32)), EntityKeyFormat.V3);
    assertThatThrownBy(() -> serializer.serialize(List.of(1L << 40)))
        .isInstanceOf(InvalidFeatureValueException.class)
        .hasMessage(
            "Invalid value for driver_id (declared INT32): 1099511627776 (Long) does not fit INT32");
  }

  @Test
  void typesThatCannotBeKeysAreRejected() {
    assertThatThrownBy(
            () -> new EntityKeySerializer(List.of(new Column("x", FLOAT)), EntityKeyFormat.V3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid join key x: type FLOAT cannot be an entity key");
  }

  @Test
  void unsupportedVersionIsRejected() {
    assertThatThrownBy(() -> EntityKeyFormat.fromVersion(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid entity_key_serialization_version: 1");
  }
}
