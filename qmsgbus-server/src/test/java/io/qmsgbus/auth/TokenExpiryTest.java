package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.transport.BusServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A connection does not outlive its token: closed with 1008 when {@code exp} passes. */
@Timeout(60)
class TokenExpiryTest {

  @TempDir Path dir;

  @Test
  void theConnectionIsClosedWhenItsTokenExpires() throws Exception {
    try (BusServer server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withJwtSecretFile(Fixtures.secretFile(dir).toString()))) {
      String shortLived =
          Fixtures.sign(
              Fixtures.claims("brief")
                  .expirationTime(Date.from(Instant.now().plus(Duration.ofSeconds(2))))
                  .build(),
              JWSAlgorithm.HS256,
              Fixtures.secretBytes());
      String url = "ws://127.0.0.1:" + server.port() + "/";
      try (RawWebSocket brief =
              RawWebSocket.open(URI.create(url), Fixtures.bearer(shortLived), null);
          RawWebSocket lasting =
              RawWebSocket.open(
                  server.port(),
                  Fixtures.bearer(
                      Fixtures.token("long", java.util.List.of(">"), java.util.List.of(">"))))) {
        assertThat(brief.control("{\"register\":\"a.b\",\"id\":1}"))
            .isEqualTo("{\"id\":1,\"ok\":true}");
        await().atMost(Duration.ofSeconds(10)).until(brief.closed()::isDone);
        assertThat(brief.closed().get(1, TimeUnit.SECONDS))
            .isEqualTo(new RawWebSocket.Close(1008, "token expired"));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.sessionCount() == 1);
        assertThat(lasting.closed()).isNotDone();
        assertThat(lasting.control("{\"register\":\"a.c\",\"id\":2}"))
            .isEqualTo("{\"id\":2,\"ok\":true}");
      }
    }
  }
}
