package io.sluice.engine.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.common.config.InvalidConfigException;
import io.sluice.engine.InvalidSourceDataException;
import io.sluice.engine.InvalidUsageException;
import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.OnlineStoreUnavailableException;
import io.sluice.online.WriteStats;
import io.sluice.registry.RegistryOutcomeUnknownException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ExitCodesTest {
  private static RuntimeException wrapped(Throwable cause) {
    // Spark wraps task failures: the decisive cause sits below.
    return new RuntimeException("Job aborted due to stage failure", cause);
  }

  @Test
  void theFirstCauseOfAKnownKindDecides() {
    assertThat(ExitCodes.of(wrapped(new InvalidUsageException("bad")))).isEqualTo(2);
    assertThat(ExitCodes.of(wrapped(new InvalidOnlineStoreConfigException("bad")))).isEqualTo(2);
    assertThat(ExitCodes.of(new InvalidConfigException("Invalid batch_engine in f: x")))
        .isEqualTo(2);
    assertThat(ExitCodes.of(wrapped(new InvalidSourceDataException("bad")))).isEqualTo(3);
    assertThat(
            ExitCodes.of(
                wrapped(new OnlineStoreUnavailableException("down", null, WriteStats.NONE, 5))))
        .isEqualTo(4);
    assertThat(ExitCodes.of(new RegistryOutcomeUnknownException("commit?", null))).isEqualTo(4);
    assertThat(ExitCodes.message(wrapped(new InvalidSourceDataException("no column x"))))
        .isEqualTo("no column x");
  }

  @Test
  void ioFailuresOfNoKnownKindAreRetryableAndTheRestUnexpected() {
    assertThat(ExitCodes.of(wrapped(new IOException("s3a: throttled")))).isEqualTo(4);
    assertThat(ExitCodes.of(wrapped(new IllegalStateException("bug")))).isEqualTo(1);
  }

  @Test
  void aRunStoppedByASignalExitsWith128PlusItsNumberWhateverItsWorkEndedWith() {
    RuntimeException stopped =
        RunStoppedException.duringRun(
            new RunStop.Signal("SIGTERM", 15),
            wrapped(new OnlineStoreUnavailableException("cut off", null, WriteStats.NONE, 0)));
    assertThat(ExitCodes.of(stopped)).isEqualTo(ExitCodes.STOPPED_BY_SIGTERM);
    assertThat(ExitCodes.message(stopped))
        .startsWith("Stopped by SIGTERM before the run completed");
  }
}
