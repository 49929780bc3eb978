package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.admin.AdminServer;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** DNS rebinding: the Host check on both listeners, and a Host no longer vouching for an Origin. */
@Timeout(60)
class HostCheckTest {

  /** Sends raw bytes and returns the status code of the answer (-1 if closed without one). */
  static int rawStatus(int port, String request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        line.append((char) c);
      }
      String[] parts = line.toString().split(" ");
      return parts.length < 2 ? -1 : Integer.parseInt(parts[1]);
    }
  }

  static int adminGet(int port, String path, String host) throws IOException {
    return rawStatus(
        port, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  @Test
  void aRebindingPageIsRefusedOnTheBusAndOnTheAdminListener() throws Exception {
    try (BusServer bus =
            BusServer.start(
                ServerConfig.defaults().withPort(0).withAllowedOrigins("https://app.example.com"));
        AdminServer admin = AdminServer.start(bus, "127.0.0.1", 0)) {
      int p = bus.port();
      Fixtures.Answer rebound =
          Fixtures.upgrade(
              p, Map.of("Origin", "http://evil.example:" + p, "Host", "evil.example:" + p));
      assertThat(rebound.status()).isEqualTo(403);
      assertThat(rebound.body()).contains("Host not allowed");
      // a rebound page without Origin (not a browser) is refused by Host alone
      assertThat(Fixtures.upgrade(p, Map.of("Host", "evil.example:" + p)).status()).isEqualTo(403);
      // loopback names pass, and the same-host rule still works for them
      assertThat(
              Fixtures.upgrade(
                      p, Map.of("Origin", "http://localhost:" + p, "Host", "localhost:" + p))
                  .status())
          .isEqualTo(101);
      assertThat(Fixtures.upgrade(p, Map.of("Host", "[::1]:" + p)).status()).isEqualTo(101);
      assertThat(Fixtures.upgrade(p, Map.of("Host", "127.0.0.5")).status()).isEqualTo(101);
      assertThat(
              Fixtures.upgrade(p, Map.of("Origin", "https://app.example.com", "Host", "localhost"))
                  .status())
          .isEqualTo(101);

      int a = admin.port();
      assertThat(adminGet(a, "/api/clients", "evil.example:" + a)).isEqualTo(403);
      assertThat(adminGet(a, "/", "evil.example:" + a)).isEqualTo(403);
      assertThat(adminGet(a, "/api/clients", "127.0.0.1:" + a)).isEqualTo(200);
      assertThat(adminGet(a, "/api/clients", "localhost")).isEqualTo(200);
    }
  }

  @Test
  void aListedHostIsAnsweredAndVouchesForItsOrigin() throws Exception {
    try (BusServer bus =
            BusServer.start(
                ServerConfig.defaults()
                    .withPort(0)
                    .withAllowedOrigins("https://app.example.com")
                    .withAllowedHosts("bus.example"));
        AdminServer admin = AdminServer.start(bus, "127.0.0.1", 0)) {
      int p = bus.port();
      assertThat(
              Fixtures.upgrade(
                      p, Map.of("Origin", "http://bus.example:" + p, "Host", "bus.example:" + p))
                  .status())
          .isEqualTo(101);
      assertThat(Fixtures.upgrade(p, Map.of("Host", "evil.example")).status()).isEqualTo(403);
      assertThat(adminGet(admin.port(), "/api/stats", "BUS.example")).isEqualTo(200);
    }
  }

  @Test
  void boundElsewhereAnyHostIsAnsweredButNeverVouchesForAnOrigin() throws Exception {
    try (BusServer bus =
        BusServer.start(
            ServerConfig.defaults()
                .withHost("0.0.0.0")
                .withAllowAnonymous(true)
                .withPort(0)
                .withAllowedOrigins("https://app.example.com"))) {
      int p = bus.port();
      assertThat(
              Fixtures.upgrade(
                      p, Map.of("Origin", "http://evil.example:" + p, "Host", "evil.example:" + p))
                  .status())
          .isEqualTo(403);
      assertThat(Fixtures.upgrade(p, Map.of("Host", "evil.example:" + p)).status()).isEqualTo(101);
      assertThat(
              Fixtures.upgrade(
                      p, Map.of("Origin", "https://app.example.com", "Host", "evil.example"))
                  .status())
          .isEqualTo(101);
    }
  }

  @Test
  void malformedHttpIs400() throws Exception {
    try (BusServer bus = BusServer.start(ServerConfig.defaults().withPort(0))) {
      assertThat(rawStatus(bus.port(), "GARBAGE\r\n\r\n")).isEqualTo(400);
      assertThat(rawStatus(bus.port(), "GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n")).isEqualTo(400);
    }
  }

  @Test
  void badAllowedHostsAreRejectedBeforeAnythingIsBound() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                BusServer.start(
                    ServerConfig.defaults().withPort(0).withAllowedHosts("https://bus.example/")))
        .hasMessageContaining("allowedHosts");
  }
}
