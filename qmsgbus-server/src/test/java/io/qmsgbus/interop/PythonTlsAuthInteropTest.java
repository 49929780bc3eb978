package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.auth.Fixtures;
import io.qmsgbus.auth.Tokens;
import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import io.qmsgbus.client.TlsTrust;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed-style Python client (clients/python/WebSocketClientQ.py, via tests/driver.py) on
 * Debian's python3-websocket against a server with TLS and JWT authentication: wss:// trusting the
 * test's own certificate (websocket-client's {@code sslopt={"ca_certs": ...}}), the token in an
 * {@code Authorization: Bearer} header; permissions enforced; no token, no connection.
 */
class PythonTlsAuthInteropTest extends InteropTestBase {

  private static final String SECRET = "interop-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

  @TempDir Path dir;
  private Path cert;

  @Override
  void requireTools() {
    InteropEnvironment.requirePython();
  }

  /** Replaces the base class's plain server with one that has TLS and JWT authentication. */
  @BeforeEach
  @Override
  void startServer() {
    requireTools();
    try {
      cert = Fixtures.selfSigned(dir).cert(); // and key.pem beside it
      Path secret = dir.resolve("jwt.secret");
      Files.writeString(secret, SECRET + "\n");
      server =
          BusServer.start(
              ServerConfig.defaults()
                  .withPort(0)
                  .withTls(cert.toString(), dir.resolve("key.pem").toString())
                  .withJwtSecretFile(secret.toString()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    port = server.port();
  }

  private static String token(String sub, List<String> pub, List<String> subs) {
    return Tokens.hs256(
        SECRET.getBytes(StandardCharsets.UTF_8), sub, pub, subs, Duration.ofHours(1), null, null);
  }

  /** tests/driver.py over wss://, with the token (if any) in QMSGBUS_TOKEN. */
  private ScriptProcess secureDriver(String name, String token, boolean trust) {
    List<String> command = new ArrayList<>();
    command.add(InteropEnvironment.PYTHON);
    command.add(InteropEnvironment.pythonDir().resolve("tests/driver.py").toString());
    command.addAll(
        List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--timeout", "90"));
    if (trust) {
      command.addAll(List.of("--ca-cert", cert.toString()));
    } else {
      command.addAll(List.of("--ca-cert", "/etc/ssl/certs/ca-certificates.crt"));
    }
    String[] env = token == null ? new String[0] : new String[] {"QMSGBUS_TOKEN", token};
    return track(ScriptProcess.start(name, InteropEnvironment.pythonDir(), command, env));
  }

  private BusClient javaClient(String token) throws Exception {
    BusClient bus =
        BusClient.builder()
            .uri(server.url())
            .sslContext(TlsTrust.fromPem(cert))
            .token(token)
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build();
    track(bus);
    bus.connect();
    return bus;
  }

  @Test
  void pythonOverWssWithATokenSendsAndReceives() throws Exception {
    ScriptProcess py =
        secureDriver("py-tls", token("py", List.of("py.out"), List.of("py.in")), true);
    py.awaitValue("CONNECTED", WAIT);
    py.send("text {\"register\": \"py.in\"}");
    sync(py, "s0");

    BusClient java = javaClient(token("java", List.of("py.in"), List.of("py.out")));
    java.register("py.out").get(10, TimeUnit.SECONDS);

    // Java -> Python, over TLS: exact bytes, BINARY, into the deque
    String toPython = "{\"skill\":\"py.in\",\"payload\":\"hello python\"}";
    java.publishRaw(toPython.getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
    py.awaitValues("DATA", 1, WAIT);
    assertThat(dataTexts(py)).containsExactly(toPython);

    // Python -> Java
    String toJava = pyPacket("py.out", "hello java");
    py.send("binary " + toJava);
    Message m = java.take(WAIT);
    assertThat(m).as(py.describe()).isNotNull();
    assertThat(m.text()).isEqualTo(toJava);

    // not allowed: a TEXT error, and nothing forwarded
    py.send("binary " + pyPacket("py.in", "loop"));
    List<String> texts = py.awaitValues("TEXT", 2, WAIT);
    assertThat(texts.get(texts.size() - 1).replace(" ", ""))
        .isEqualTo("{\"ok\":false,\"error\":\"notallowedtopublishto'py.in'\"}");
    py.send("text {\"register\": \"py.out\", \"id\": \"r\"}");
    texts = py.awaitValues("TEXT", 3, WAIT);
    assertThat(texts.get(texts.size() - 1))
        .isEqualTo(
            "{\"id\":\"r\",\"ok\":false,\"error\":\"not allowed to register for 'py.out'\"}");
    assertThat(server.metrics().denied.sum()).isEqualTo(2);

    py.send("quit");
    assertThat(py.awaitExit(WAIT)).isZero();
  }

  @Test
  void pythonWithoutTokenOrTrustCannotConnect() {
    ScriptProcess noToken = secureDriver("py-no-token", null, true);
    assertThat(noToken.awaitExit(WAIT)).as(noToken.describe()).isEqualTo(2);
    assertThat(noToken.values("ERROR")).containsExactly("could not connect");

    ScriptProcess noTrust =
        secureDriver("py-no-trust", token("py", List.of(">"), List.of(">")), false);
    assertThat(noTrust.awaitExit(WAIT)).as(noTrust.describe()).isEqualTo(2);
    assertThat(noTrust.values("ERROR")).containsExactly("could not connect");
    assertThat(server.sessionCount()).isZero();
    assertThat(server.metrics().authFailures.sum()).isEqualTo(1);
  }
}
