package io.sluice.common.feast;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** The one conversion between {@code google.protobuf.Timestamp} and {@link Instant}. */
public final class ProtoTimestamps {
  private ProtoTimestamps() {}

  public static Timestamp toProto(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  public static Instant toInstant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
