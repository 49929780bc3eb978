package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.PlainJWT;
import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.BusException;
import io.qmsgbus.client.Message;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.transport.BusServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** JWT authentication at the upgrade, over real sockets: 401 before any frame, or a session. */
@Timeout(60)
class JwtAuthTest {

  @TempDir Path dir;
  private BusServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private BusServer start(ServerConfig cfg) {
    server = BusServer.start(cfg.withPort(0));
    return server;
  }

  private BusServer startHs256() throws Exception {
    return start(ServerConfig.defaults().withJwtSecretFile(Fixtures.secretFile(dir).toString()));
  }

  @Test
  void noCredentialsIs401WithChallengeAndNoSession() throws Exception {
    startHs256();
    Fixtures.Answer a = Fixtures.upgrade(server.port(), Map.of());
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.all("WWW-Authenticate")).containsExactly("Bearer realm=\"qmsgbus\"");
    assertThat(a.header("Upgrade")).isNull();
    assertThat(server.sessionCount()).isZero();
    assertThat(server.metrics().authFailures.sum()).isEqualTo(1);
  }

  @Test
  void badSignatureIs401() throws Exception {
    startHs256();
    String forged =
        Fixtures.sign(
            Fixtures.claims("mallory").build(),
            JWSAlgorithm.HS256,
            "another-secret-of-sufficient-length-0123456789".getBytes(StandardCharsets.UTF_8));
    Fixtures.Answer a = Fixtures.upgrade(server.port(), Fixtures.bearer(forged));
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.header("WWW-Authenticate"))
        .contains("error=\"invalid_token\"")
        .contains("bad signature");
    assertThat(a.body()).doesNotContain(forged);
  }

  @Test
  void tamperedClaimsAre401() throws Exception {
    startHs256();
    String good = Fixtures.token("alice", List.of("a"), List.of("a"));
    String[] parts = good.split("\\.");
    String claims =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ("{\"sub\":\"alice\",\"exp\":"
                        + (Instant.now().getEpochSecond() + 3600)
                        + ",\"pub\":[\"*\"]}")
                    .getBytes(StandardCharsets.UTF_8));
    String tampered = parts[0] + "." + claims + "." + parts[2];
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(tampered)).status()).isEqualTo(401);
  }

  @Test
  void expiredTokenIs401() throws Exception {
    startHs256();
    Instant past = Instant.now().minus(Duration.ofMinutes(10));
    String expired =
        Fixtures.sign(
            Fixtures.claims("alice").expirationTime(Date.from(past)).build(),
            JWSAlgorithm.HS256,
            Fixtures.secretBytes());
    Fixtures.Answer a = Fixtures.upgrade(server.port(), Fixtures.bearer(expired));
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.header("WWW-Authenticate")).contains("token expired");
  }

  @Test
  void notYetValidTokenIs401() throws Exception {
    startHs256();
    Instant later = Instant.now().plus(Duration.ofMinutes(10));
    String early =
        Fixtures.sign(
            Fixtures.claims("alice").notBeforeTime(Date.from(later)).build(),
            JWSAlgorithm.HS256,
            Fixtures.secretBytes());
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(early)).status()).isEqualTo(401);
  }

  @Test
  void tokenWithoutExpiryIs401() throws Exception {
    startHs256();
    String forever =
        Fixtures.sign(
            Fixtures.claims("alice").expirationTime(null).build(),
            JWSAlgorithm.HS256,
            Fixtures.secretBytes());
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(forever)).status()).isEqualTo(401);
  }

  @Test
  void unsignedTokenIs401() throws Exception {
    startHs256();
    String none = new PlainJWT(new PlainHeader(), Fixtures.claims("alice").build()).serialize();
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(none)).status()).isEqualTo(401);
  }

  @Test
  void wrongAudienceAndIssuerAre401() throws Exception {
    start(
        ServerConfig.defaults()
            .withJwtSecretFile(Fixtures.secretFile(dir).toString())
            .with("authJwtAudience", "qmsgbus-prod")
            .with("authJwtIssuer", "https://issuer.example"));
    String wrongAud =
        Fixtures.sign(
            Fixtures.claims("alice")
                .audience("qmsgbus-dev")
                .issuer("https://issuer.example")
                .build(),
            JWSAlgorithm.HS256,
            Fixtures.secretBytes());
    String noAud =
        Fixtures.sign(
            Fixtures.claims("alice").issuer("https://issuer.example").build(),
            JWSAlgorithm.HS256,
            Fixtures.secretBytes());
    String wrongIss =
        Fixtures.sign(
            Fixtures.claims("alice")
                .audience("qmsgbus-prod")
                .issuer("https://evil.example")
                .build(),
            JWSAlgorithm.HS256,
            Fixtures.secretBytes());
    String right =
        Fixtures.sign(
            Fixtures.claims("alice")
                .audience("qmsgbus-prod")
                .issuer("https://issuer.example")
                .build(),
            JWSAlgorithm.HS256,
            Fixtures.secretBytes());
    Fixtures.Answer a = Fixtures.upgrade(server.port(), Fixtures.bearer(wrongAud));
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.header("WWW-Authenticate")).contains("wrong audience");
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(noAud)).status()).isEqualTo(401);
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(wrongIss)).status()).isEqualTo(401);
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(right)).status()).isEqualTo(101);
  }

  @Test
  void goodTokenConnectsWithItsIdentity() throws Exception {
    startHs256();
    String token = Fixtures.token("alice", List.of("skill1"), List.of("skill1"));
    try (BusClient bus =
        BusClient.builder()
            .uri(server.url())
            .token(token)
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build()) {
      bus.connect();
      bus.register("skill1").get(10, TimeUnit.SECONDS);
      bus.publishText("skill1", "hello").get(10, TimeUnit.SECONDS);
      Message m = bus.take(Duration.ofSeconds(10));
      assertThat(m).isNotNull();
      assertThat(m.text()).contains("hello");
      assertThat(server.sessions().values())
          .singleElement()
          .satisfies(s -> assertThat(s.identity().name()).isEqualTo("alice"));
    }
    assertThat(server.metrics().authFailures.sum()).isZero();
  }

  @Test
  void tokenQueryParameterIsAcceptedAndRemovedFromTheRequest() throws Exception {
    startHs256();
    String token = Fixtures.token("browser", List.of(), List.of("x"));
    Fixtures.Answer a = Fixtures.upgrade(server.port(), "/ws?token=" + token + "&v=1", Map.of());
    assertThat(a.status()).isEqualTo(101);
    assertThat(AuthHandler.withoutToken("/ws?token=" + token + "&v=1")).isEqualTo("/ws?v=1");
    assertThat(AuthHandler.withoutToken("/?token=abc")).isEqualTo("/");
    try (BusClient bus =
        BusClient.builder()
            .uri(server.url() + "?token=" + token)
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build()) {
      bus.connect();
      bus.register("x").get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void busClientReportsTheRefusal() throws Exception {
    startHs256();
    try (BusClient bus =
        BusClient.builder()
            .uri(server.url())
            .token("not-a-jwt")
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build()) {
      assertThatThrownBy(bus::connect)
          .isInstanceOf(BusException.class)
          .hasMessageContaining("HTTP 401");
    }
  }

  @Test
  void unsupportedSchemeAndPasswordsWithoutUsersFileAre401() throws Exception {
    startHs256();
    assertThat(Fixtures.upgrade(server.port(), Map.of("Authorization", "Digest x")).status())
        .isEqualTo(401);
    assertThat(Fixtures.upgrade(server.port(), Fixtures.basic("alice", "pw")).status())
        .isEqualTo(401);
  }

  @Test
  void rs256AndEs256WithPemPublicKeys() throws Exception {
    KeyPair rsa = Fixtures.rsaKeys();
    start(
        ServerConfig.defaults()
            .with(
                "authJwtPublicKey",
                Fixtures.publicKeyPem(dir, "rsa.pub.pem", rsa.getPublic()).toString()));
    String good =
        Fixtures.sign(Fixtures.claims("svc").build(), JWSAlgorithm.RS256, rsa.getPrivate());
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(good)).status()).isEqualTo(101);
    // an HS256 token "signed" with the public key's bytes (algorithm confusion) is refused
    String confused =
        Fixtures.sign(
            Fixtures.claims("svc").build(), JWSAlgorithm.HS256, rsa.getPublic().getEncoded());
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(confused)).status()).isEqualTo(401);
    KeyPair other = Fixtures.rsaKeys();
    String wrongKey =
        Fixtures.sign(Fixtures.claims("svc").build(), JWSAlgorithm.RS256, other.getPrivate());
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(wrongKey)).status()).isEqualTo(401);
    server.close();
    server = null;

    KeyPair ec = Fixtures.ecKeys();
    start(
        ServerConfig.defaults()
            .with(
                "authJwtPublicKey",
                Fixtures.publicKeyPem(dir, "ec.pub.pem", ec.getPublic()).toString()));
    String es = Fixtures.sign(Fixtures.claims("svc").build(), JWSAlgorithm.ES256, ec.getPrivate());
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(es)).status()).isEqualTo(101);
    String rs = Fixtures.sign(Fixtures.claims("svc").build(), JWSAlgorithm.RS256, rsa.getPrivate());
    assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer(rs)).status()).isEqualTo(401);
  }

  @Test
  void badKeyFilesStopTheStartWithAClearMessage() throws Exception {
    Path shortSecret = dir.resolve("short.secret");
    java.nio.file.Files.writeString(shortSecret, "too-short\n");
    assertThatThrownBy(
            () ->
                BusServer.start(
                    ServerConfig.defaults().withPort(0).withJwtSecretFile(shortSecret.toString())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("authJwtSecretFile")
        .hasMessageContaining("at least 32")
        .hasMessageNotContaining("too-short");
    assertThatThrownBy(
            () ->
                BusServer.start(
                    ServerConfig.defaults()
                        .withPort(0)
                        .withJwtSecretFile(dir.resolve("missing").toString())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot read");
    Path notPem = dir.resolve("not.pem");
    java.nio.file.Files.writeString(notPem, "hello");
    assertThatThrownBy(
            () ->
                BusServer.start(
                    ServerConfig.defaults()
                        .withPort(0)
                        .with("authJwtPublicKey", notPem.toString())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("authJwtPublicKey");
  }

  @Test
  void secondsLaterTheSameConnectionKeepsWorking() throws Exception {
    // the auth handler leaves the pipeline after the upgrade: frames flow as without auth
    startHs256();
    try (RawWebSocket p =
        RawWebSocket.open(
            server.port(), Fixtures.bearer(Fixtures.token("a", List.of("s"), List.of("s"))))) {
      assertThat(p.control("{\"register\":\"s\",\"id\":1}")).isEqualTo("{\"id\":1,\"ok\":true}");
      p.sendBinary("{\"skill\":\"s\",\"payload\":1}");
      assertThat(p.nextBinary()).isEqualTo("{\"skill\":\"s\",\"payload\":1}");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> server.metrics().packetsDelivered.sum() == 1);
    }
  }
}
