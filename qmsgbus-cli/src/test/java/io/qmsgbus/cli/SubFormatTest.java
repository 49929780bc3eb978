package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code qmsgbus sub --raw / --format / --timestamps}, and its reconnect notice, on a real bus. */
@Timeout(60)
class SubFormatTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String NL = System.lineSeparator();
  private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

  private BusServer server;
  private BusServer second;

  @BeforeEach
  void start() {
    server = BusServer.start(ServerConfig.defaults().withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
    if (second != null) {
      second.close();
    }
  }

  private static String url(BusServer s) {
    return "ws://127.0.0.1:" + s.port() + "/";
  }

  private record Run(int code, String out, String err) {}

  /** A sub running in-process on its own thread, its stdout and stderr captured until it ends. */
  private static final class Sub {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    final CompletableFuture<Integer> code = new CompletableFuture<>();

    String err() {
      synchronized (err) {
        return err.toString(StandardCharsets.UTF_8);
      }
    }

    Run result() throws Exception {
      int c = code.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return new Run(c, out.toString(StandardCharsets.UTF_8), err());
    }
  }

  /**
   * Starts {@code qmsgbus sub ARGS}; returns once it has registered (or ended). System.out and
   * System.err point at its buffers until it ends, so the tests of this class run one at a time.
   */
  private Sub sub(BusServer on, String... args) {
    Sub s = new Sub();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    System.setOut(new PrintStream(s.out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(s.err, true, StandardCharsets.UTF_8));
    System.setIn(new ByteArrayInputStream(new byte[0]));
    List<String> argv = new ArrayList<>(List.of("sub"));
    argv.addAll(List.of(args));
    Thread t =
        new Thread(
            () -> {
              try {
                s.code.complete(Main.run(argv.toArray(String[]::new)));
              } catch (Throwable e) {
                s.code.completeExceptionally(e);
              } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
                System.setIn(oldIn);
              }
            });
    t.setDaemon(true);
    t.start();
    await().atMost(WAIT).until(() -> on.registrations() == 1 || s.code.isDone());
    return s;
  }

  private static void publish(BusServer on, String... packets) throws Exception {
    try (BusClient c = BusClient.builder().uri(url(on)).build()) {
      c.connect();
      for (String p : packets) {
        c.publishRaw(p.getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void defaultOutputIsTheWholePacketOnOneLine() throws Exception {
    Sub s = sub(server, "sf", "--count", "1", "--url", url(server));
    publish(server, "{\"skill\":\"sf\",\"payload\":{\"a\":\n1}}");
    Run r = s.result();
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("{\"skill\":\"sf\",\"payload\":{\"a\": 1}}" + NL);
  }

  @Test
  void rawPrintsThePayloadAStringAsItsTextAndAPacketWithoutPayloadWhole() throws Exception {
    Sub s = sub(server, "sf", "--raw", "--count", "3", "--url", url(server));
    publish(
        server,
        "{\"skill\":\"sf\",\"payload\":{\"a\": [1, 2]}}",
        "{\"skill\":\"sf\",\"payload\":\"hello \\\"you\\\"\"}",
        "{\"skill\":\"sf\",\"other\":1}");
    Run r = s.result();
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "{\"a\": [1, 2]}" + NL + "hello \"you\"" + NL + "{\"skill\":\"sf\",\"other\":1}" + NL);
  }

  @Test
  void formatFillsInEveryPlaceholderAndEscape() throws Exception {
    Instant before = Instant.now();
    Sub s =
        sub(
            server,
            "sf",
            "--format",
            "{n}\\t{skill}\\t{bytes}\\t{payload}\\t{packet}\\n\\{{time}\\\\",
            "--count",
            "2",
            "--url",
            url(server));
    String one = "{\"skill\":\"sf\",\"payload\":\"x\"}";
    String two = "{\"skill\":\"sf\",\"payload\":[1]}";
    publish(server, one, two);
    Run r = s.result();
    Instant after = Instant.now();
    assertThat(r.code()).as(r.err()).isZero();
    Matcher m =
        Pattern.compile(
                Pattern.quote("1\tsf\t" + one.length() + "\tx\t" + one + "\n{")
                    + "("
                    + TIME
                    + ")"
                    + Pattern.quote("\\" + NL + "2\tsf\t" + two.length() + "\t[1]\t" + two + "\n{")
                    + "("
                    + TIME
                    + ")"
                    + Pattern.quote("\\" + NL))
            .matcher(r.out());
    assertThat(m.matches()).as(r.out()).isTrue();
    for (int g = 1; g <= 2; g++) {
      Instant t = Instant.parse(m.group(g));
      assertThat(t).isBetween(before.minusMillis(1), after);
    }
  }

  @Test
  void formatRejectsUnknownPlaceholdersAndRawWithFormat() {
    Sub unknown = sub(server, "sf", "--format", "{skill} {topic}", "--url", url(server));
    Run r = get(unknown);
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "qmsgbus sub: --format: unknown placeholder {topic} (known: {skill}, {payload},"
                + " {packet}, {bytes}, {time}, {n})"
                + NL);
    Run both = get(sub(server, "sf", "--raw", "--format", "{payload}", "--url", url(server)));
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err())
        .isEqualTo(
            "qmsgbus sub: --raw and --format cannot be used together (--format '{payload}'"
                + " prints what --raw does)"
                + NL);
    assertThat(server.registrations()).isZero();
  }

  @Test
  void timestampsPrefixEachLine() throws Exception {
    Sub s = sub(server, "sf", "--timestamps", "--raw", "--count", "2", "--url", url(server));
    publish(server, "{\"skill\":\"sf\",\"payload\":1}", "{\"skill\":\"sf\",\"payload\":\"two\"}");
    Run r = s.result();
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).matches(TIME + " 1" + NL + TIME + " two" + NL);
  }

  @Test
  void saysWhenItReconnects() throws Exception {
    second = BusServer.start(ServerConfig.defaults().withPort(0));
    Sub s = sub(server, "sf", "--raw", "--count", "1", "--url", url(server), "--url", url(second));
    server.close();
    await().atMost(WAIT).until(() -> second.registrations() == 1);
    await().atMost(WAIT).until(() -> s.err().contains("reconnected"));
    publish(second, "{\"skill\":\"sf\",\"payload\":\"after\"}");
    Run r = s.result();
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("after" + NL);
    // the in-process server logs to the same stderr: keep the command's own lines
    assertThat(r.err().lines().filter(l -> l.startsWith("qmsgbus sub:")))
        .containsExactly(
            "qmsgbus sub: registered for sf on " + url(server),
            "qmsgbus sub: reconnected to " + url(second) + ", registered again");
  }

  private static Run get(Sub s) {
    try {
      return s.result();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
