package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code qmsgbus req} and {@code qmsgbus reply} against a real server. */
@Timeout(60)
class ReqReplyCommandTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private BusServer server;
  private final List<BusClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server = BusServer.start(ServerConfig.defaults().withPort(0));
  }

  @AfterEach
  void stop() {
    clients.forEach(BusClient::close);
    server.close();
  }

  private String url() {
    return "ws://127.0.0.1:" + server.port() + "/";
  }

  private BusClient client() throws Exception {
    BusClient c = BusClient.builder().uri(url()).build();
    clients.add(c);
    c.connect();
    return c;
  }

  private record Run(int code, String out, String err) {}

  /** Runs the CLI in-process, stdin empty; returns exit code, stdout and stderr. */
  private static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(new byte[0]));
      int code = Main.run(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
  }

  @Test
  void reqPrintsTheAnswersPayload() throws Exception {
    done(client().respond("svc.wrap", m -> "{\"got\":" + m.payloadJson() + "}"));
    Run r = run("req", "svc.wrap", "{\"a\": [1, 2]}", "--url", url());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("{\"got\":{\"a\": [1, 2]}}" + System.lineSeparator());
    Run text = run("req", "svc.wrap", "hello", "--url", url(), "--timeout", "5s");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out()).isEqualTo("{\"got\":\"hello\"}" + System.lineSeparator());
  }

  @Test
  void reqWithoutReceiversExitsWith3AndTheServersReason() {
    Run r = run("req", "svc.none", "1", "--url", url(), "--timeout", "1m");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err()).contains("no receivers for 'svc.none'");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void reqWithoutAnAnswerExitsWith4AfterTheTimeout() throws Exception {
    done(client().register("svc.silent"));
    Run r = run("req", "svc.silent", "1", "--url", url(), "--timeout", "300ms");
    assertThat(r.code()).isEqualTo(4);
    assertThat(r.err()).contains("no answer from 'svc.silent' within PT0.3S");
  }

  @Test
  void reqRejectsABadTimeoutAndDocumentsItsExitCodes() {
    assertThat(run("req", "s", "1", "--timeout", "soon").code()).isEqualTo(2);
    Run help = run("req", "--help");
    assertThat(help.out()).contains("Exit status:").contains("3   no receivers for SKILL");
  }

  /** Starts {@code qmsgbus reply ARGS} in-process; the future gets its exit code. */
  private CompletableFuture<Integer> reply(String... args) {
    List<String> argv = new ArrayList<>(List.of("reply"));
    argv.addAll(List.of(args));
    argv.addAll(List.of("--url", url()));
    CompletableFuture<Integer> code = new CompletableFuture<>();
    Thread t = new Thread(() -> code.complete(Main.run(argv.toArray(String[]::new))));
    t.setDaemon(true);
    t.start();
    await().atMost(WAIT).until(() -> server.registrations() == 1 || code.isDone());
    return code;
  }

  @Test
  void replyEchoAnswersWithTheRequestsPayload() throws Exception {
    CompletableFuture<Integer> code = reply("svc.echo", "--echo", "--count", "2");
    BusClient requester = client();
    assertThat(done(requester.request("svc.echo", "{\"x\":1}", WAIT)).payloadJson())
        .isEqualTo("{\"x\":1}");
    Message second = done(requester.request("svc.echo", "\"two\"", WAIT));
    assertThat(second.payloadJson()).isEqualTo("\"two\"");
    assertThat(second.text()).contains("\"re\":");
    assertThat(done(code)).isZero();
  }

  @Test
  void replyCommandGetsThePayloadOnStdinAndAnswersWithItsStdout() throws Exception {
    CompletableFuture<Integer> code = reply("svc.up", "--command", "tr a-z A-Z", "--count", "2");
    BusClient requester = client();
    // a JSON string arrives as its text; output that is not JSON goes back as a string
    assertThat(done(requester.request("svc.up", "\"hello\"", WAIT)).payloadJson())
        .isEqualTo("\"HELLO\"");
    // other JSON arrives as JSON; output that is JSON goes back as is
    assertThat(done(requester.request("svc.up", "{\"a\":\"b\"}", WAIT)).payloadJson())
        .isEqualTo("{\"A\":\"B\"}");
    assertThat(done(code)).isZero();
  }

  @Test
  void replyCommandSendsJsonOutputAsIsAndAFailingCommandAnswersNothing() throws Exception {
    CompletableFuture<Integer> code =
        reply(
            "svc.check",
            "--command",
            "read x; test \"$x\" != bad && echo \"{\\\"ok\\\": \\\"$x\\\"}\"",
            "--count",
            "1");
    BusClient requester = client();
    CompletableFuture<Message> refused = requester.request("svc.check", "\"bad\"", WAIT);
    Message answered = done(requester.request("svc.check", "\"good\"", WAIT));
    assertThat(answered.payloadJson()).isEqualTo("{\"ok\": \"good\"}");
    // requests are answered one at a time, in order: the bad one's command has finished, unanswered
    assertThat(refused).isNotDone();
    assertThat(done(code)).isZero();
  }

  @Test
  void replyNeedsAMode() {
    assertThat(run("reply", "s", "--url", url()).code()).isEqualTo(2);
    assertThat(run("reply", "s", "--echo", "--command", "cat", "--url", url()).code()).isEqualTo(2);
  }

  private static <T> T done(CompletableFuture<T> f)
      throws InterruptedException, ExecutionException, TimeoutException {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
