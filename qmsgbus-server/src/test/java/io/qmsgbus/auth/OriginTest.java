package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The allowed-origins check (cross-site WebSocket hijacking), over real sockets. */
@Timeout(60)
class OriginTest {

  @TempDir Path dir;

  private static Map<String, String> with(Map<String, String> base, String origin) {
    Map<String, String> m = new HashMap<>(base);
    m.put("Origin", origin);
    return m;
  }

  @Test
  void withAuthAnOriginNotListedIs403EvenWithAGoodToken() throws Exception {
    try (BusServer server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withJwtSecretFile(Fixtures.secretFile(dir).toString())
                .withAllowedOrigins("https://app.example.com, http://localhost:3000"))) {
      Map<String, String> auth = Fixtures.bearer(Fixtures.token("web", List.of(), List.of(">")));
      int port = server.port();
      Fixtures.Answer evil = Fixtures.upgrade(port, with(auth, "https://evil.example"));
      assertThat(evil.status()).isEqualTo(403);
      assertThat(evil.header("WWW-Authenticate")).isNull();
      assertThat(Fixtures.upgrade(port, with(auth, "null")).status()).isEqualTo(403);
      assertThat(Fixtures.upgrade(port, with(auth, "https://app.example.com")).status())
          .isEqualTo(101);
      assertThat(Fixtures.upgrade(port, with(auth, "HTTPS://APP.example.com:443")).status())
          .isEqualTo(101);
      assertThat(Fixtures.upgrade(port, with(auth, "http://localhost:3000")).status())
          .isEqualTo(101);
      assertThat(Fixtures.upgrade(port, with(auth, "http://localhost:3001")).status())
          .isEqualTo(403);
      // the server's own address (what Python's websocket-client sends), and no Origin at all
      assertThat(Fixtures.upgrade(port, with(auth, "http://127.0.0.1:" + port)).status())
          .isEqualTo(101);
      assertThat(Fixtures.upgrade(port, auth).status()).isEqualTo(101);
      // a listed origin still needs credentials
      assertThat(Fixtures.upgrade(port, Map.of("Origin", "https://app.example.com")).status())
          .isEqualTo(401);
      assertThat(server.metrics().authFailures.sum()).isEqualTo(4);
    }
  }

  @Test
  void withAuthAndNoListOnlyTheServersOwnOriginPasses() throws Exception {
    try (BusServer server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withJwtSecretFile(Fixtures.secretFile(dir).toString()))) {
      Map<String, String> auth = Fixtures.bearer(Fixtures.token("web", List.of(), List.of(">")));
      int port = server.port();
      assertThat(Fixtures.upgrade(port, with(auth, "https://evil.example")).status())
          .isEqualTo(403);
      assertThat(
              Fixtures.upgrade(port, with(auth, "http://127.0.0.1:" + (port == 1 ? 2 : port - 1)))
                  .status())
          .isEqualTo(403);
      assertThat(Fixtures.upgrade(port, with(auth, "http://127.0.0.1:" + port)).status())
          .isEqualTo(101);
    }
  }

  @Test
  void withoutAuthAListIsStillEnforcedAndNoListAllowsAny() throws Exception {
    try (BusServer listed =
            BusServer.start(
                ServerConfig.defaults().withPort(0).withAllowedOrigins("https://app.example.com"));
        BusServer open = BusServer.start(ServerConfig.defaults().withPort(0))) {
      assertThat(Fixtures.upgrade(listed.port(), Map.of("Origin", "https://evil.example")).status())
          .isEqualTo(403);
      assertThat(
              Fixtures.upgrade(listed.port(), Map.of("Origin", "https://app.example.com")).status())
          .isEqualTo(101);
      assertThat(Fixtures.upgrade(open.port(), Map.of("Origin", "https://evil.example")).status())
          .isEqualTo(101);
    }
  }

  @Test
  void starAllowsEveryOrigin() throws Exception {
    try (BusServer server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withJwtSecretFile(Fixtures.secretFile(dir).toString())
                .withAllowedOrigins("*"))) {
      Map<String, String> auth = Fixtures.bearer(Fixtures.token("web", List.of(), List.of(">")));
      assertThat(Fixtures.upgrade(server.port(), with(auth, "https://anywhere.example")).status())
          .isEqualTo(101);
    }
  }

  @Test
  void badEntriesAreRejectedBeforeAnythingIsBound() {
    assertThatThrownBy(
            () ->
                BusServer.start(
                    ServerConfig.defaults().withPort(0).withAllowedOrigins("app.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowedOrigins");
    assertThatThrownBy(
            () ->
                BusServer.start(
                    ServerConfig.defaults()
                        .withPort(0)
                        .withAllowedOrigins("https://a.example/path")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void policyRules() {
    OriginPolicy p = OriginPolicy.of("https://a.example", true, HostPolicy.of("h, [::1]", false));
    assertThat(p.allows(null, "h:1")).isTrue();
    assertThat(p.allows("https://a.example", "h:1")).isTrue();
    assertThat(p.allows("https://a.example:443", "h:1")).isTrue();
    assertThat(p.allows("http://a.example", "h:1")).isFalse();
    assertThat(p.allows("http://h:1", "h:1")).isTrue();
    assertThat(p.allows("http://h", "h")).isTrue();
    assertThat(p.allows("http://[::1]:8081", "[::1]:8081")).isTrue();
    assertThat(p.allows("http://h:2", "h:1")).isFalse();
    assertThat(p.allows("garbage", "h:1")).isFalse();
    assertThat(OriginPolicy.of("", false, HostPolicy.of("", true)).restricts()).isFalse();
    assertThat(OriginPolicy.of("", true, HostPolicy.of("", true)).restricts()).isTrue();
    assertThat(OriginPolicy.of("*", true, HostPolicy.of("", true)).restricts()).isFalse();
  }
}
