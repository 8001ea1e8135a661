package io.sluice.online;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.online.stores.OnlineStores;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One racing writer in its own JVM: {@code RaceWriterMain <online_store as JSON> <writer index>}.
 * Prints READY once connected, waits for a line on standard input, writes, prints its counts.
 */
public final class RaceWriterMain {
  private RaceWriterMain() {}

  public static void main(String[] args) throws Exception {
    OnlineStoreConfig store =
        OnlineStores.parse(
            io.sluice.common.config.ConfigSection.of(
                null, "online_store", new ObjectMapper().readTree(args[0])),
            Path.of("/"));
    int writer = Integer.parseInt(args[1]);
    try (OnlineWriter onlineWriter =
        OnlineStores.openWriter(store, RaceWorkload.view(), WriteOptions.defaults())) {
      System.out.println("READY");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      for (var batch : RaceWorkload.batches(writer)) {
        onlineWriter.write(batch);
      }
      System.out.println("STATS " + onlineWriter.stats());
    }
  }
}
