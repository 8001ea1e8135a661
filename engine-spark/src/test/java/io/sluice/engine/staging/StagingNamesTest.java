package io.sluice.engine.staging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How stage folders are named and how a location is shown. No file system. */
class StagingNamesTest {
  @Test
  void namesKeepLettersDigitsAndDotUnderscoreDashAndEncodeTheRest() {
    assertThat(Staging.segment("driver_hourly-stats.v2")).isEqualTo("driver_hourly-stats.v2");
    assertThat(Staging.segment("a/b c")).isEqualTo("a%2Fb%20c");
    assertThat(Staging.segment("..")).doesNotStartWith(".").isEqualTo("%2E.");
    assertThat(Staging.segment("_x")).isEqualTo("%5Fx");
    assertThat(Staging.segment("é")).isEqualTo("%C3%A9");
  }

  @Test
  void folderTimesAreUtcWithoutColonsAndKeepAFraction() {
    assertThat(Staging.folderTime(Instant.parse("2024-05-01T00:00:00Z")))
        .isEqualTo("20240501T000000Z");
    assertThat(Staging.folderTime(Instant.parse("2024-05-01T01:02:03.250Z")))
        .isEqualTo("20240501T010203.25Z");
  }

  @Test
  void onlyAUserAndPasswordInTheAuthorityIsCut() {
    assertThat(Staging.withoutSecrets("s3a://KEY:SECRET@bucket/p")).isEqualTo("s3a://bucket/p");
    assertThat(Staging.withoutSecrets("s3a://bucket/prefix")).isEqualTo("s3a://bucket/prefix");
    // A user, an Azure container, and an @ in the path are not secrets.
    assertThat(Staging.withoutSecrets("hdfs://alice@nn:8020/s"))
        .isEqualTo("hdfs://alice@nn:8020/s");
    assertThat(Staging.withoutSecrets("abfs://stages@acct.dfs.core.windows.net/p"))
        .isEqualTo("abfs://stages@acct.dfs.core.windows.net/p");
    assertThat(Staging.withoutSecrets("hdfs://nn:8020/stage/team@x"))
        .isEqualTo("hdfs://nn:8020/stage/team@x");
    assertThat(Staging.withoutSecrets("file:///tmp/s")).isEqualTo("file:///tmp/s");
  }
}
