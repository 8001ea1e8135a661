package io.sluice.online.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DynamoDbItemsTest {
  @Test
  void feastsUtcTextOrdersAsItsTime() {
    String whole = DynamoDbKeys.eventTimestampText(Instant.parse("2024-05-01T12:30:42Z"));
    String half = DynamoDbKeys.eventTimestampText(Instant.parse("2024-05-01T12:30:42.500Z"));
    String next = DynamoDbKeys.eventTimestampText(Instant.parse("2024-05-01T12:30:43Z"));
    assertThat(whole).isEqualTo("2024-05-01 12:30:42+00:00");
    assertThat(half).isEqualTo("2024-05-01 12:30:42.500000+00:00");
    assertThat(next).isEqualTo("2024-05-01 12:30:43+00:00");
    assertThat(whole.compareTo(half)).isNegative();
    assertThat(half.compareTo(next)).isNegative();
    // pandas prints nanoseconds: still after the microsecond text Sluice writes for it.
    assertThat(half.compareTo("2024-05-01 12:30:42.500000001+00:00")).isNegative();
    // Newer-only compares the instants these texts parse to, in the same order.
    Instant wholeTime = DynamoDbItems.parseEventTs(whole).orElseThrow();
    Instant halfTime = DynamoDbItems.parseEventTs(half).orElseThrow();
    assertThat(wholeTime).isBefore(halfTime);
    assertThat(halfTime).isBefore(DynamoDbItems.parseEventTs(next).orElseThrow());
    assertThat(DynamoDbItems.parseEventTs("2024-05-01 12:30:42.500000001+00:00").orElseThrow())
        .isAfter(halfTime);
  }

  @Test
  void otherFormsFeastMayHaveWrittenAreParsedAsTheirInstants() {
    assertThat(DynamoDbItems.parseEventTs("2024-05-01 14:30:42.250000+02:00"))
        .contains(Instant.parse("2024-05-01T12:30:42.250Z"));
    assertThat(DynamoDbItems.parseEventTs("2024-05-01 07:30:42-05:00"))
        .contains(Instant.parse("2024-05-01T12:30:42Z"));
    assertThat(DynamoDbItems.parseEventTs("2024-05-01 12:30:42"))
        .contains(Instant.parse("2024-05-01T12:30:42Z"));
    assertThat(DynamoDbItems.parseEventTs("2024-05-01T12:30:42Z")).isEmpty();
  }
}
