package io.sluice.engine.layout;

import static org.assertj.core.api.Assertions.assertThat;

import feast.proto.types.ValueProto.ValueType;
import io.sluice.common.feast.Column;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReducedLayoutTest {
  private static final ReducedLayout LAYOUT =
      new ReducedLayout(
          List.of(
              new Column("driver_id", ValueType.Enum.INT64),
              new Column("city", ValueType.Enum.STRING)),
          List.of(
              new Column("rate", ValueType.Enum.DOUBLE),
              new Column("tags", ValueType.Enum.STRING_LIST)));

  @Test
  void rowsHoldJoinKeysThenTimestampsThenFeatures() {
    assertThat(LAYOUT.columnNames())
        .containsExactly(
            "driver_id",
            "city",
            ReducedLayout.EVENT_TIMESTAMP,
            ReducedLayout.CREATED_TIMESTAMP,
            "rate",
            "tags");
    assertThat(LAYOUT.eventTimestampIndex()).isEqualTo(2);
    assertThat(LAYOUT.createdTimestampIndex()).isEqualTo(3);
    assertThat(LAYOUT.featureIndex(0)).isEqualTo(4);
    assertThat(LAYOUT.featureIndex(1)).isEqualTo(5);
    assertThat(LAYOUT.isList(0)).isFalse();
    assertThat(LAYOUT.isList(1)).isTrue();
  }

  @Test
  void anEntitylessViewStartsWithTheTimestamps() {
    ReducedLayout entityless =
        new ReducedLayout(List.of(), List.of(new Column("total", ValueType.Enum.INT64)));

    assertThat(entityless.columnNames())
        .containsExactly(ReducedLayout.EVENT_TIMESTAMP, ReducedLayout.CREATED_TIMESTAMP, "total");
    assertThat(entityless.eventTimestampIndex()).isZero();
    assertThat(entityless.featureIndex(0)).isEqualTo(2);
  }
}
