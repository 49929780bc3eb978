package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.SslProvider;
import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.BusException;
import io.qmsgbus.client.Message;
import io.qmsgbus.client.TlsTrust;
import io.qmsgbus.client.WebSocketClientQ;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.transport.BusServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** wss:// with a certificate the test makes, and JWT authentication on top, over real sockets. */
@Timeout(60)
class TlsTest {

  @TempDir Path dir;
  private Fixtures.CertFiles cert;
  private BusServer server;
  private SSLContext trust;
  private String token;

  @BeforeEach
  void start() throws Exception {
    cert = Fixtures.selfSigned(dir);
    server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withTls(cert.cert().toString(), cert.key().toString())
                .withJwtSecretFile(Fixtures.secretFile(dir).toString()));
    trust = TlsTrust.fromPem(cert.cert());
    token = Fixtures.token("tls-user", List.of("secure.*"), List.of("secure.*"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theUrlSaysWss() {
    assertThat(server.url()).isEqualTo("wss://127.0.0.1:" + server.port() + "/");
  }

  @Test
  void opensslIsUsedOnThisPlatform() {
    // netty-tcnative-boringssl-static ships linux-x86_64 only; elsewhere the JDK provider serves
    if (System.getProperty("os.name").startsWith("Linux")
        && System.getProperty("os.arch").equals("amd64")) {
      assertThat(io.qmsgbus.transport.TlsSetup.provider()).isEqualTo(SslProvider.OPENSSL);
    }
  }

  @Test
  void busClientOverWssTrustingTheCertificate() throws Exception {
    try (BusClient bus =
        BusClient.builder()
            .uri(server.url())
            .sslContext(trust)
            .token(token)
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build()) {
      bus.connect();
      bus.register("secure.a").get(10, TimeUnit.SECONDS);
      bus.publishJson("secure.a", "{\"n\":1}").get(10, TimeUnit.SECONDS);
      Message m = bus.take(Duration.ofSeconds(10));
      assertThat(m).isNotNull();
      assertThat(m.text()).isEqualTo("{\"skill\":\"secure.a\",\"payload\":{\"n\":1}}");
    }
  }

  @Test
  void seedStyleJavaClientOverWss() throws Exception {
    Deque<byte[]> q = new ConcurrentLinkedDeque<>();
    WebSocketClientQ ws =
        new WebSocketClientQ(q, "127.0.0.1", server.port(), "/", Duration.ofSeconds(10), trust);
    ws.setHeader("Authorization", "Bearer " + token);
    List<String> texts = new CopyOnWriteArrayList<>();
    ws.setTextListener(texts::add);
    assertThat(ws.uri().toString()).startsWith("wss://127.0.0.1:");
    Thread t = new Thread(ws::runForever, "wsq");
    t.start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(ws::isConnected);
      assertThat(ws.emitText("{\"register\":\"secure.q\",\"id\":1}")).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> texts.contains("{\"id\":1,\"ok\":true}"));
      assertThat(
              ws.emitBinary(
                  "{\"skill\":\"secure.q\",\"payload\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
          .isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> !q.isEmpty());
      assertThat(new String(q.pollFirst(), StandardCharsets.UTF_8))
          .isEqualTo("{\"skill\":\"secure.q\",\"payload\":\"x\"}");
    } finally {
      ws.close();
      t.join(10_000);
    }
  }

  @Test
  void withoutTrustingTheCertificateTheHandshakeFails() throws Exception {
    try (BusClient bus =
        BusClient.builder()
            .uri(server.url())
            .token(token)
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build()) {
      assertThatThrownBy(bus::connect)
          .isInstanceOf(BusException.class)
          .hasMessageContaining("SSLHandshakeException");
    }
    assertThat(server.sessionCount()).isZero();
  }

  @Test
  void tlsWithoutTokenIs401() throws Exception {
    try (BusClient bus =
        BusClient.builder()
            .uri(server.url())
            .sslContext(trust)
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build()) {
      assertThatThrownBy(bus::connect).isInstanceOf(BusException.class).hasMessageContaining("401");
    }
  }

  @Test
  void plainTextOnTheTlsPortIsClosedAndTheServerCarriesOn() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      // the server answers with a TLS alert at most, then closes: read to the end
      byte[] rest = readToEnd(s);
      assertThat(new String(rest, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/1.1");
    }
    try (RawWebSocket p =
        RawWebSocket.open(URI.create(server.url()), Fixtures.bearer(token), trust)) {
      assertThat(p.control("{\"register\":\"secure.z\",\"id\":1}"))
          .isEqualTo("{\"id\":1,\"ok\":true}");
    }
  }

  @Test
  void jdkProviderWorksToo() throws Exception {
    System.setProperty("qmsgbus.tls.provider", "jdk");
    try (BusServer jdk =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withTls(cert.cert().toString(), cert.key().toString())
                .withJwtSecretFile(Fixtures.secretFile(dir).toString()))) {
      assertThat(io.qmsgbus.transport.TlsSetup.provider()).isEqualTo(SslProvider.JDK);
      try (RawWebSocket p =
          RawWebSocket.open(
              URI.create(jdk.url()), Map.of("Authorization", "Bearer " + token), trust)) {
        assertThat(p.control("{\"register\":\"secure.j\",\"id\":1}"))
            .isEqualTo("{\"id\":1,\"ok\":true}");
      }
    } finally {
      System.clearProperty("qmsgbus.tls.provider");
    }
  }

  @Test
  void certificateWithoutKeyIsAConfigError() {
    assertThatThrownBy(() -> ServerConfig.defaults().with("tlsCert", cert.cert().toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tlsKey");
    assertThatThrownBy(
            () ->
                BusServer.start(
                    ServerConfig.defaults()
                        .withPort(0)
                        .withTls(cert.cert().toString(), dir.resolve("nope.pem").toString())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tlsKey");
    assertThatThrownBy(
            () ->
                BusServer.start(
                    ServerConfig.defaults()
                        .withPort(0)
                        .withTls(cert.cert().toString(), cert.cert().toString())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot use tlsCert");
  }

  private static byte[] readToEnd(Socket s) throws IOException {
    try {
      return s.getInputStream().readAllBytes();
    } catch (java.net.SocketException reset) {
      return new byte[0];
    }
  }
}
