package io.qmsgbus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.it.JdkSocket;
import io.qmsgbus.testkit.RedisServer;
import io.qmsgbus.testkit.TestCertificates;
import io.qmsgbus.transport.BusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes on a Redis that wants a password, and on one that speaks only TLS to them. */
class ClusterSecurityIT {

  @TempDir Path dir;

  private static void crossNode(BusServer a, BusServer b) throws Exception {
    try (JdkSocket r = JdkSocket.open(b.port(), "/");
        JdkSocket p = JdkSocket.open(a.port(), "/")) {
      r.text("{\"register\":\"sec\",\"fastpush\":true,\"id\":1}");
      assertThat(r.next()).isEqualTo("{\"id\":1,\"ok\":true}");
      p.text("{\"skill\":\"sec\",\"v\":1}");
      assertThat(r.next()).isEqualTo("bin:{\"skill\":\"sec\",\"v\":1}");
    }
  }

  @Test
  void aPasswordFromAFileAndAWrongOneFailsTheStartSayingWhy() throws Exception {
    RedisServer.require();
    try (RedisServer redis = RedisServer.start(List.of("--requirepass", "s3cret-pw"))) {
      Path good = Files.writeString(dir.resolve("pw"), "s3cret-pw\n");
      Path bad = Files.writeString(dir.resolve("bad"), "wrong\n");
      ServerConfig base =
          ServerConfig.defaults().withPort(0).with("clusterPasswordFile", good.toString());
      try (BusServer a = BusServer.start(base.withCluster(redis.url(), "a"));
          BusServer b = BusServer.start(base.withCluster(redis.url(), "b"))) {
        crossNode(a, b);
      }
      assertThatThrownBy(
              () ->
                  BusServer.start(
                      ServerConfig.defaults()
                          .withPort(0)
                          .with("clusterPasswordFile", bad.toString())
                          .withCluster(redis.url(), "c")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot reach the cluster's Redis at redis://127.0.0.1:");
      assertThatThrownBy(
              () ->
                  BusServer.start(
                      ServerConfig.defaults().withPort(0).withCluster(redis.url(), "no-password")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot reach the cluster's Redis");
    }
  }

  @Test
  void redissWithATrustedCertificate() throws Exception {
    RedisServer.require();
    TestCertificates.CertFiles cert = TestCertificates.selfSigned(dir);
    try (RedisServer redis = RedisServer.startTls(cert.cert(), cert.key())) {
      ServerConfig base =
          ServerConfig.defaults().withPort(0).with("clusterCaCert", cert.cert().toString());
      try (BusServer a = BusServer.start(base.withCluster(redis.tlsUrl(), "a"));
          BusServer b = BusServer.start(base.withCluster(redis.tlsUrl(), "b"))) {
        crossNode(a, b);
      }
      // without the certificate, the JDK's CAs do not vouch for it: the start fails
      assertThatThrownBy(
              () ->
                  BusServer.start(
                      ServerConfig.defaults().withPort(0).withCluster(redis.tlsUrl(), "c")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot reach the cluster's Redis at rediss://");
    }
  }

  @Test
  void thePasswordInAUrlIsNeverShown() {
    assertThat(ClusterOptions.redact("redis://:pw@h:1")).isEqualTo("redis://***@h:1");
    assertThat(ClusterOptions.redact("rediss://user:pw@h:1/2")).isEqualTo("rediss://***@h:1/2");
    assertThat(ClusterOptions.redact("redis://h:1")).isEqualTo("redis://h:1");
  }
}
