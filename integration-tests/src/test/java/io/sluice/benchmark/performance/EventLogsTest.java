package io.sluice.benchmark.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogsTest {
  // Trimmed Spark 3.5 events: two map tasks, a result task without shuffle writes, other events.
  private static final String LOG =
      """
      {"Event":"SparkListenerLogStart","Spark Version":"3.5.9"}
      {"Event":"SparkListenerTaskStart","Stage ID":0,"Task Info":{"Task ID":0}}
      {"Event":"SparkListenerTaskEnd","Stage ID":0,"Task Type":"ShuffleMapTask","Task Metrics":{"Executor Run Time":812,"Shuffle Write Metrics":{"Shuffle Bytes Written":1048576,"Shuffle Write Time":1234,"Shuffle Records Written":100}}}
      {"Event":"SparkListenerTaskEnd","Stage ID":0,"Task Type":"ShuffleMapTask","Task Metrics":{"Shuffle Write Metrics":{"Shuffle Bytes Written":2000,"Shuffle Records Written":3}}}
      {"Event":"SparkListenerTaskEnd","Stage ID":1,"Task Type":"ResultTask","Task Metrics":{"Shuffle Read Metrics":{"Remote Bytes Read":0},"Shuffle Write Metrics":{"Shuffle Bytes Written":0}}}
      {"Event":"SparkListenerTaskEnd","Stage ID":1,"Task Type":"ResultTask","Task End Reason":{"Reason":"TaskKilled"}}
      {"Event":"SparkListenerJobEnd","Job ID":0,"Note":"SparkListenerTaskEnd in a value is not an event"}
      """;

  @Test
  void sumsShuffleBytesWrittenOverTaskEndEvents(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("local-1700000000000"), LOG);

    assertThat(EventLogs.shuffleBytesWritten(dir)).isEqualTo(1_048_576L + 2_000L);
  }

  @Test
  void addsUpEveryLogInTheFolder(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("local-1"), LOG);
    Files.writeString(dir.resolve("local-2.inprogress"), LOG);

    assertThat(EventLogs.shuffleBytesWritten(dir)).isEqualTo(2 * (1_048_576L + 2_000L));
  }

  @Test
  void anEmptyFolderIsAnError(@TempDir Path dir) {
    assertThatThrownBy(() -> EventLogs.shuffleBytesWritten(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("No Spark event log in " + dir);
  }
}
