package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.session.SessionSnapshot;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.transport.BusServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-identity permissions over real sockets: a denied publish or register gets a TEXT error (with
 * the id when given), is not applied or forwarded, and is counted; allowed ones work.
 */
@Timeout(60)
class PermissionsTest {

  @TempDir Path dir;
  private BusServer server;

  /** May publish to sensors.* and register for sensors.* and alerts. */
  private String sensor;

  /** May do everything. */
  private String admin;

  @BeforeEach
  void start() throws Exception {
    server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withJwtSecretFile(Fixtures.secretFile(dir).toString()));
    sensor = Fixtures.token("sensor", List.of("sensors.*"), List.of("sensors.*", "alerts"));
    admin = Fixtures.token("admin", List.of(">"), List.of(">"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void allowedPublishAndRegisterWork() throws Exception {
    try (RawWebSocket rx = RawWebSocket.open(server.port(), Fixtures.bearer(sensor));
        RawWebSocket tx = RawWebSocket.open(server.port(), Fixtures.bearer(sensor))) {
      assertThat(rx.control("{\"register\":[\"sensors.t1\",\"alerts\"],\"id\":1}"))
          .isEqualTo("{\"id\":1,\"ok\":true}");
      tx.sendBinary("{\"skill\":\"sensors.t1\",\"payload\":21.5}");
      assertThat(rx.nextBinary()).isEqualTo("{\"skill\":\"sensors.t1\",\"payload\":21.5}");
      // a client allowed everything may publish to alerts, which sensor may only receive
      try (RawWebSocket boss = RawWebSocket.open(server.port(), Fixtures.bearer(admin))) {
        boss.sendBinary("{\"skill\":\"alerts\",\"payload\":\"fire\"}");
      }
      rx.sendText("{\"ack\":\"\"}");
      assertThat(rx.nextBinary()).isEqualTo("{\"skill\":\"alerts\",\"payload\":\"fire\"}");
    }
    assertThat(server.metrics().denied.sum()).isZero();
  }

  @Test
  void deniedPublishIsAnErrorNotForwardedAndCounted() throws Exception {
    try (RawWebSocket rx = RawWebSocket.open(server.port(), Fixtures.bearer(admin));
        RawWebSocket tx = RawWebSocket.open(server.port(), Fixtures.bearer(sensor))) {
      assertThat(
              rx.control("{\"register\":[\"alerts\",\"sensors.t1\"],\"fastpush\":true,\"id\":1}"))
          .isEqualTo("{\"id\":1,\"ok\":true}");
      tx.sendBinary("{\"skill\":\"alerts\",\"payload\":\"forged\",\"id\":9}");
      assertThat(tx.nextText())
          .isEqualTo("{\"id\":9,\"ok\":false,\"error\":\"not allowed to publish to 'alerts'\"}");
      tx.sendText("{\"skill\":\"alerts\",\"payload\":\"again\"}"); // TEXT frame, no id
      assertThat(tx.nextText())
          .isEqualTo("{\"ok\":false,\"error\":\"not allowed to publish to 'alerts'\"}");
      // an allowed packet after them: the receiver's first packet must be this one
      tx.sendBinary("{\"skill\":\"sensors.t1\",\"payload\":\"ok\"}");
      assertThat(rx.nextBinary()).isEqualTo("{\"skill\":\"sensors.t1\",\"payload\":\"ok\"}");
      assertThat(rx.pollBinary(Duration.ofMillis(200))).isNull();
    }
    assertThat(server.metrics().denied.sum()).isEqualTo(2);
    assertThat(server.metrics().packetsUnrouted.sum()).isZero();
    assertThat(server.metrics().skill("alerts").in.sum()).isZero(); // refused: not counted as in
  }

  @Test
  void deniedRegisterIsAnErrorAppliesNothingAndIsCounted() throws Exception {
    try (RawWebSocket rx = RawWebSocket.open(server.port(), Fixtures.bearer(sensor));
        RawWebSocket boss = RawWebSocket.open(server.port(), Fixtures.bearer(admin))) {
      assertThat(
              rx.control(
                  "{\"register\":[\"sensors.t1\",\"secrets\"],\"fastpush\":true,\"id\":\"r1\"}"))
          .isEqualTo(
              "{\"id\":\"r1\",\"ok\":false,\"error\":\"not allowed to register for 'secrets'\"}");
      assertThat(rx.control("{\"register\":\"payroll\"}"))
          .isEqualTo("{\"ok\":false,\"error\":\"not allowed to register for 'payroll'\"}");
      SessionSnapshot snap =
          server.sessions().values().stream()
              .filter(s -> s.identity().name().equals("sensor"))
              .findFirst()
              .orElseThrow()
              .snapshot()
              .get(10, TimeUnit.SECONDS);
      assertThat(snap.skills()).isEmpty(); // rejected whole: not even sensors.t1
      assertThat(snap.fastpush()).isFalse();
      boss.sendBinary("{\"skill\":\"secrets\",\"payload\":1}");
      boss.sendBinary("{\"skill\":\"sensors.t1\",\"payload\":2}");
      // once boss's next control is answered, its packets have been routed: to nobody
      assertThat(boss.control("{\"buffering\":false,\"id\":3}"))
          .isEqualTo("{\"id\":3,\"ok\":true}");
      assertThat(server.metrics().packetsUnrouted.sum()).isEqualTo(2);
      // deregistering is always allowed
      assertThat(rx.control("{\"deregister\":\"secrets\",\"id\":2}"))
          .isEqualTo("{\"id\":2,\"ok\":true}");
      assertThat(rx.pending(RawWebSocket.BINARY)).isZero();
    }
    assertThat(server.metrics().denied.sum()).isEqualTo(2);
  }

  @Test
  void missingClaimsAllowNothing() throws Exception {
    String bare = Fixtures.token("bare", List.of(), List.of());
    try (RawWebSocket p = RawWebSocket.open(server.port(), Fixtures.bearer(bare))) {
      assertThat(p.control("{\"register\":\"a\",\"id\":1}"))
          .isEqualTo("{\"id\":1,\"ok\":false,\"error\":\"not allowed to register for 'a'\"}");
      p.sendBinary("{\"skill\":\"a\",\"payload\":1}");
      assertThat(p.nextText())
          .isEqualTo("{\"ok\":false,\"error\":\"not allowed to publish to 'a'\"}");
      // controls that need no permission still work
      assertThat(p.control("{\"buffering\":true,\"id\":2}")).isEqualTo("{\"id\":2,\"ok\":true}");
    }
  }

  @Test
  void withoutAuthNothingIsChecked() throws Exception {
    try (BusServer open = BusServer.start(ServerConfig.defaults().withPort(0));
        RawWebSocket p = RawWebSocket.open(open.port())) {
      assertThat(p.control("{\"register\":\"anything\",\"id\":1}"))
          .isEqualTo("{\"id\":1,\"ok\":true}");
      assertThat(open.sessions().values()).allSatisfy(s -> assertThat(s.identity()).isNull());
      assertThat(open.metrics().denied.sum()).isZero();
    }
  }
}
