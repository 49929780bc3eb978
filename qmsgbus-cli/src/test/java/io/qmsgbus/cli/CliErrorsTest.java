package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.auth.Tokens;
import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.TestCertificates;
import io.qmsgbus.transport.BusServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everyday mistakes, each run through the real {@code qmsgbus} process against a real server: one
 * sentence saying what to do, a non-zero exit status, and no stack trace.
 */
@Timeout(120)
class CliErrorsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** A finished CLI process. */
  record Run(int code, String out, String err) {}

  static Run cli(String... args) throws Exception {
    return cliWithInput(null, args);
  }

  /** Runs {@code qmsgbus ARGS} as its own process, stdin from {@code input} (or empty). */
  static Run cliWithInput(Path input, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ServerCommandIT.javaBin(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (input != null) {
      pb.redirectInput(input.toFile());
    }
    Process p = pb.start();
    try {
      if (input == null) {
        p.getOutputStream().close();
      }
      CompletableFuture<byte[]> out =
          CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      CompletableFuture<byte[]> err =
          CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the CLI exits").isTrue();
      return new Run(
          p.exitValue(),
          new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8),
          new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Exit status {@code code}, and stderr is just {@code prefix + sentence}, one line. */
  private static void assertOneSentence(Run r, int code, String sentence) {
    assertThat(r.code()).as(r.err()).isEqualTo(code);
    assertThat(r.err().strip()).as("stderr").endsWith(sentence).doesNotContain("\n");
    assertNoTrace(r);
  }

  private static void assertNoTrace(Run r) {
    assertThat(r.err() + r.out()).doesNotContain("\tat ").doesNotContain("Exception");
  }

  private static String ws(int port) {
    return "ws://127.0.0.1:" + port + "/";
  }

  /** A loopback port nobody listens on (it was free a moment ago). */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private BusServer tlsServer() throws Exception {
    TestCertificates.CertFiles cert = TestCertificates.selfSigned(dir);
    return BusServer.start(
        ServerConfig.defaults().withPort(0).withTls(cert.cert().toString(), cert.key().toString()));
  }

  @Test
  void connectionRefusedAsksWhetherTheServerIsRunning() throws Exception {
    String url = ws(deadPort());
    String sentence = "cannot connect to " + url + ": is the server running there?";
    assertOneSentence(cli("pub", "s", "1", "--url", url), 1, "qmsgbus pub: " + sentence);
    assertOneSentence(cli("sub", "s", "--url", url), 1, "qmsgbus sub: " + sentence);
  }

  @Test
  void aMissingConfigFileIsAUsageError() throws Exception {
    Path missing = dir.resolve("nope.properties");
    assertOneSentence(
        cli("server", "--port", "0", "--admin-port", "0", "--config", missing.toString()),
        2,
        "qmsgbus server: no config file "
            + missing.toAbsolutePath()
            + ": check the --config path (or leave it out for the defaults)");
  }

  @Test
  void aTakenPortSaysPickAnother() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run r = cli("server", "--port", Integer.toString(taken.getLocalPort()), "--admin-port", "0");
      assertThat(r.err().strip())
          .startsWith("qmsgbus server: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ");
      assertOneSentence(
          r, 1, "is another server running there? Pick another port (0: any free one)");
    }
  }

  @Test
  void aMissingSecretFileIsAUsageError() throws Exception {
    Path missing = dir.resolve("jwt.secret");
    assertOneSentence(
        cli("server", "--port", "0", "--admin-port", "0", "--jwt-secret-file", missing.toString()),
        2,
        "qmsgbus server: authJwtSecretFile: cannot read " + missing + ": no such file");
  }

  @Test
  void anUntrustedCertificateSaysPassCaCert() throws Exception {
    try (BusServer tls = tlsServer()) {
      String url = "wss://127.0.0.1:" + tls.port() + "/";
      String sentence =
          "cannot connect to "
              + url
              + ": the server's certificate is not trusted: pass --ca-cert FILE (its certificate"
              + " or CA, PEM)";
      assertOneSentence(cli("pub", "s", "1", "--url", url), 1, "qmsgbus pub: " + sentence);
      assertOneSentence(cli("sub", "s", "--url", url), 1, "qmsgbus sub: " + sentence);
      // and with it, it works
      Run ok = cli("pub", "s", "1", "--url", url, "--ca-cert", dir.resolve("cert.pem").toString());
      assertThat(ok.code()).as(ok.err()).isZero();
    }
  }

  @Test
  void aMissingCaCertFileIsAUsageError() throws Exception {
    try (BusServer tls = tlsServer()) {
      Path missing = dir.resolve("ca.pem");
      assertOneSentence(
          cli(
              "pub",
              "s",
              "1",
              "--url",
              "wss://127.0.0.1:" + tls.port() + "/",
              "--ca-cert",
              missing.toString()),
          2,
          "qmsgbus pub: --ca-cert " + missing + ": no such file");
    }
  }

  @Test
  void wsToATlsPortSaysUseWss() throws Exception {
    try (BusServer tls = tlsServer()) {
      assertOneSentence(
          cli("pub", "s", "1", "--url", ws(tls.port())),
          1,
          "qmsgbus pub: cannot connect to "
              + ws(tls.port())
              + ": the server there speaks TLS: use wss://127.0.0.1:"
              + tls.port()
              + "/");
    }
  }

  @Test
  void wssToAPlainPortSaysUseWs() throws Exception {
    try (BusServer plain = BusServer.start(ServerConfig.defaults().withPort(0))) {
      String wss = "wss://127.0.0.1:" + plain.port() + "/";
      assertOneSentence(
          cli("sub", "s", "--url", wss),
          1,
          "qmsgbus sub: cannot connect to "
              + wss
              + ": the server there does not speak TLS: use "
              + ws(plain.port()));
    }
  }

  @Test
  void anAddressWithoutSchemeSaysUseWs() throws Exception {
    try (BusServer plain = BusServer.start(ServerConfig.defaults().withPort(0))) {
      String bare = "127.0.0.1:" + plain.port();
      assertOneSentence(
          cli("pub", "s", "1", "--url", bare),
          2,
          "qmsgbus pub: '"
              + bare
              + "' is not a bus address: use ws://"
              + bare
              + "/ (or wss:// for TLS)");
      assertOneSentence(
          cli("sub", "s", "--url", "localhost:" + plain.port()),
          2,
          "qmsgbus sub: 'localhost:"
              + plain.port()
              + "' is not a bus address: use ws://localhost:"
              + plain.port()
              + "/ (or wss:// for TLS)");
      assertOneSentence(
          cli("pub", "s", "1", "--url", "http://" + bare + "/"),
          2,
          "qmsgbus pub: 'http://"
              + bare
              + "/' is an HTTP address: use ws://"
              + bare
              + "/ for the bus");
    }
  }

  @Test
  void aPacketOverMaxFrameBytesSaysSo() throws Exception {
    String sentence =
        "qmsgbus pub: the packet is bigger than the server's maxFrameBytes (it closed the"
            + " connection with 1009): send less, or raise maxFrameBytes on the server";
    try (BusServer small =
        BusServer.start(ServerConfig.defaults().withPort(0).withMaxFrameBytes(1000))) {
      // the server sends its 1009, ends its side and lingers until the client closes: the
      // client reads why, whatever it was still sending
      Run r = cli("pub", "s", "x".repeat(5000), "--url", ws(small.port()));
      assertThat(r.code()).as(r.err()).isEqualTo(1);
      assertThat(r.err().strip()).isEqualTo(sentence);
      assertNoTrace(r);
      // one that fits still goes
      Run ok = cli("pub", "s", "x".repeat(500), "--url", ws(small.port()));
      assertThat(ok.code()).as(ok.err()).isZero();
    }
    // many megabytes: the server closes (1009) while the client is still writing, and the client
    // may see its write fail before it can read the close frame
    try (BusServer server = BusServer.start(ServerConfig.defaults().withPort(0))) {
      Path big = dir.resolve("big.txt");
      Files.writeString(big, "\"" + "y".repeat(4 << 20) + "\"\n");
      Run huge = cliWithInput(big, "pub", "s", "--url", ws(server.port()));
      assertThat(huge.code()).as(huge.err()).isEqualTo(1);
      assertThat(huge.err().strip())
          .satisfiesAnyOf(
              e -> assertThat(e).isEqualTo(sentence),
              e ->
                  assertThat(e)
                      .isEqualTo(
                          "qmsgbus pub: the server dropped the connection while a "
                              + ((4 << 20) + 2)
                              + "-byte packet was being sent: it is likely bigger than the"
                              + " server's maxFrameBytes (1048576 by default): send less, or"
                              + " raise maxFrameBytes on the server"));
      assertNoTrace(huge);
    }
  }

  @Test
  void payloadThatLooksLikeJsonButIsNotIsRefusedUnlessText() throws Exception {
    try (BusServer server = BusServer.start(ServerConfig.defaults().withPort(0));
        BusClient receiver = BusClient.builder().uri(ws(server.port())).build()) {
      receiver.connect();
      receiver.register("s").get(10, TimeUnit.SECONDS);
      for (String bad : List.of("{temp: 21}", "[1, 2", " {\"a\":1} {")) {
        Run r = cli("pub", "s", bad, "--url", ws(server.port()));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip())
            .startsWith("qmsgbus pub: PAYLOAD looks like JSON but does not parse (")
            .endsWith("): fix it, or pass --text to send it as a JSON string")
            .doesNotContain("\n")
            .doesNotContain("published");
        assertNoTrace(r);
      }
      Path lines = dir.resolve("lines.txt");
      Files.writeString(lines, "{\"ok\":1}\n{oops\n");
      Run stdin = cliWithInput(lines, "pub", "s", "--url", ws(server.port()));
      assertThat(stdin.code()).as(stdin.err()).isEqualTo(2);
      assertThat(stdin.err().strip())
          .startsWith("qmsgbus pub: line 2 of stdin looks like JSON but does not parse (")
          .doesNotContain("\n");
      assertNoTrace(stdin);
      Message first = receiver.take(WAIT);
      assertThat(first).isNotNull();
      assertThat(first.text()).isEqualTo("{\"skill\":\"s\",\"payload\":{\"ok\":1}}");

      Run text = cli("pub", "s", "{temp: 21}", "--text", "--url", ws(server.port()));
      assertThat(text.code()).as(text.err()).isZero();
      Message m = receiver.take(WAIT);
      assertThat(m).isNotNull();
      assertThat(m.text()).isEqualTo("{\"skill\":\"s\",\"payload\":\"{temp: 21}\"}");
      // --text sends even valid JSON as a string
      Run number = cli("pub", "s", "42", "--text", "--url", ws(server.port()));
      assertThat(number.code()).as(number.err()).isZero();
      Message n = receiver.take(WAIT);
      assertThat(n).isNotNull();
      assertThat(n.text()).isEqualTo("{\"skill\":\"s\",\"payload\":\"42\"}");
      // plain text that does not look like JSON is still a string, as before
      Run hello = cli("pub", "s", "hello", "--url", ws(server.port()));
      assertThat(hello.code()).as(hello.err()).isZero();
      Message h = receiver.take(WAIT);
      assertThat(h).isNotNull();
      assertThat(h.text()).isEqualTo("{\"skill\":\"s\",\"payload\":\"hello\"}");
    }
  }

  @Test
  void aPublishWithoutPermissionFailsAndNeverSaysPublished() throws Exception {
    String secret = "cli-errors-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
    Path secretFile = dir.resolve("jwt.secret");
    Files.writeString(secretFile, secret + "\n");
    String readOnly =
        Tokens.hs256(
            secret.getBytes(StandardCharsets.UTF_8),
            "reader",
            List.of(),
            List.of("s"),
            Duration.ofHours(1),
            null,
            null);
    try (BusServer server =
        BusServer.start(
            ServerConfig.defaults().withPort(0).withJwtSecretFile(secretFile.toString()))) {
      Run r = cli("pub", "s", "1", "--url", ws(server.port()), "--token", readOnly);
      assertThat(r.code()).as(r.err()).isEqualTo(1);
      assertThat(r.err()).contains("not allowed to publish to 's'").doesNotContain("published");
      assertNoTrace(r);
      Run noToken = cli("pub", "s", "1", "--url", ws(server.port()));
      assertOneSentence(
          noToken,
          1,
          "qmsgbus pub: cannot connect to "
              + ws(server.port())
              + ": the server answered HTTP 401 (authentication required or refused): pass --token"
              + " JWT (or set QMSGBUS_TOKEN)");
    }
  }

  @Test
  void aRateLimitedPublishFailsAndNeverSaysPublished() throws Exception {
    try (BusServer server =
        BusServer.start(ServerConfig.defaults().withPort(0).with("maxPacketsPerSecond", "1"))) {
      Run r = cli("pub", "s", "1", "--count", "50", "--url", ws(server.port()));
      assertThat(r.code()).as(r.err()).isEqualTo(1);
      assertThat(r.err()).contains("rate limit").doesNotContain("published");
      assertNoTrace(r);
      // within the limit it is a success
      Run one = cli("pub", "s", "1", "--url", ws(server.port()));
      assertThat(one.code()).as(one.err()).isZero();
      assertThat(one.err()).contains("published 1 packet(s) to 's'");
    }
  }

  @Test
  void rawAndTextTogetherIsAUsageError() throws Exception {
    assertOneSentence(
        cli("pub", "s", "1", "--raw", "--text"),
        2,
        "qmsgbus pub: --raw and --text exclude each other: pick one");
  }

  @Test
  void theHelpListsTheExitStatuses() throws Exception {
    Run help = cli("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out())
        .contains("Exit status:")
        .contains("  0  done")
        .contains("  1  run-time failure")
        .contains("  2  usage error")
        .contains("  3  'sub --timeout' passed without a packet");
    // and they are the ones the commands return
    assertThat(CliErrors.USAGE).isEqualTo(2);
    assertThat(cli("pub").code()).isEqualTo(2); // picocli: a missing SKILL
    assertThat(cli("sub", "s", "--url", "nope").code()).isEqualTo(2);
  }
}
