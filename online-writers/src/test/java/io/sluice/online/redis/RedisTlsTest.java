package io.sluice.online.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.online.InvalidOnlineStoreConfigException;
import io.sluice.online.RaceWorkload;
import io.sluice.online.RaceWriterMain;
import io.sluice.online.WriteOptions;
import io.sluice.online.redis.RedisOnlineStoreConfig.Node;
import io.sluice.online.redis.RedisOnlineStoreConfig.RedisType;
import io.sluice.online.stores.OnlineStores;
import io.sluice.testing.JavaProcess;
import io.sluice.testing.RedisServer;
import io.sluice.testing.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ssl=true} against a real redis-server serving TLS with a self-signed certificate made here
 * (openssl, keytool). The writer runs in a child JVM that trusts the certificate, as an operator
 * configures a private CA; a JVM that does not trust it gets a configuration error.
 */
@Timeout(180)
class RedisTlsTest {
  @TempDir Path dir;

  @Test
  void writesOverTlsAndRejectsAnUntrustedCertificate() {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    ServerProcess.run(
        List.of(
            ServerProcess.requireBinary("openssl", "openssl"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key.toString(),
            "-out",
            cert.toString(),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1"),
        Duration.ofSeconds(60));
    Path trustStore = dir.resolve("trust.p12");
    ServerProcess.run(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-importcert",
            "-noprompt",
            "-alias",
            "redis",
            "-file",
            cert.toString(),
            "-keystore",
            trustStore.toString(),
            "-storepass",
            "changeit",
            "-storetype",
            "PKCS12"),
        Duration.ofSeconds(60));
    int tlsPort = ServerProcess.freePort();
    try (RedisServer server =
        RedisServer.start(
            null,
            List.of(
                "--tls-port",
                Integer.toString(tlsPort),
                "--tls-cert-file",
                cert.toString(),
                "--tls-key-file",
                key.toString(),
                "--tls-ca-cert-file",
                cert.toString(),
                "--tls-auth-clients",
                "no"))) {
      try (JavaProcess writer =
          JavaProcess.start(
              RaceWriterMain.class,
              List.of(
                  "-Xmx256m",
                  "-Djavax.net.ssl.trustStore=" + trustStore,
                  "-Djavax.net.ssl.trustStorePassword=changeit"),
              List.of(
                  "{\"type\":\"redis\",\"connection_string\":\"127.0.0.1:"
                      + tlsPort
                      + ",ssl=true\"}",
                  "0"))) {
        writer.awaitLine("READY");
        writer.send("GO");
        assertThat(writer.awaitSuccess(Duration.ofMinutes(2)))
            .contains("STATS WriteStats[written=" + RaceWorkload.KEYS);
      }
      assertThat(server.cli("dbsize").trim()).isEqualTo(Integer.toString(RaceWorkload.KEYS));

      RedisOnlineStoreConfig untrusted =
          new RedisOnlineStoreConfig(
              RedisType.REDIS, List.of(new Node("127.0.0.1", tlsPort)), null, null, true, 0, 0);
      assertThatThrownBy(
              () ->
                  OnlineStores.openWriter(untrusted, RaceWorkload.view(), WriteOptions.defaults()))
          .isInstanceOf(InvalidOnlineStoreConfigException.class)
          .hasMessageStartingWith("Cannot establish TLS with Redis at [127.0.0.1:" + tlsPort)
          .hasMessageContaining("-Djavax.net.ssl.trustStore");
    }
  }
}
