package io.qmsgbus.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import io.qmsgbus.client.WebSocketClientQ;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.Started;
import io.qmsgbus.transport.BusServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's Java examples, verbatim between the {@code // README} markers, run against a real
 * server so the documentation cannot drift from what works.
 */
class ReadmeJavaExamplesTest {

  @RegisterExtension
  final Started<BusServer> bus =
      Started.perTest(() -> BusServer.start(ServerConfig.defaults().withPort(0)));

  /**
   * The README shows these blocks; they must be the code that runs here, not a copy that drifts.
   */
  @Test
  void theReadmeShowsExactlyTheseExamples() throws Exception {
    Path readme = Path.of("..", "README.md");
    Assumptions.assumeTrue(
        Files.exists(readme), "README.md not found from " + Path.of("").toAbsolutePath());
    String doc = Files.readString(readme);
    String source =
        Files.readString(Path.of("src/test/java/io/qmsgbus/examples/ReadmeJavaExamplesTest.java"));
    Matcher m =
        Pattern.compile("// README: (\\w+)\\n(.*?)\\n\\s*// README: end", Pattern.DOTALL)
            .matcher(source);
    int blocks = 0;
    while (m.find()) {
      blocks++;
      String block = dedent(m.group(2));
      // the README may close what the block opened (a try's brace) after it
      assertThat(doc).as("README block " + m.group(1)).contains("```java\n" + block + "\n");
    }
    assertThat(blocks).isEqualTo(4);
  }

  private static String dedent(String code) {
    List<String> lines = code.lines().toList();
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    return lines.stream()
        .map(l -> l.isBlank() ? "" : l.substring(indent))
        .collect(Collectors.joining("\n"));
  }

  @Test
  void busClientExample() throws Exception {
    String url = "ws://127.0.0.1:" + bus.get().port() + "/";
    // README: BusClient
    try (BusClient receiver = BusClient.builder().uri(url).build();
        BusClient sender = BusClient.builder().uri(url).build()) {
      receiver.connect();
      sender.connect();
      receiver.register("skill1").get(5, TimeUnit.SECONDS); // completes when the server confirms

      sender.publishJson(
          "skill1", "{\"temp\": 21.5}"); // {"skill":"skill1","payload":{"temp": 21.5}}
      sender.publishText("skill1", "hello"); // the payload as a JSON string

      Message m = receiver.take(Duration.ofSeconds(5)); // acked for you (autoAck is the default)
      System.out.println(m.skill() + " -> " + m.text());
      // README: end
      assertThat(m.text()).isEqualTo("{\"skill\":\"skill1\",\"payload\":{\"temp\": 21.5}}");
      assertThat(receiver.take(Duration.ofSeconds(5)).text()).contains("hello");
    }
  }

  @Test
  void requestReplyExample() throws Exception {
    String url = "ws://127.0.0.1:" + bus.get().port() + "/";
    // README: requestReply
    try (BusClient service = BusClient.builder().uri(url).build();
        BusClient caller = BusClient.builder().uri(url).build()) {
      service.connect();
      caller.connect();
      // answers each request of svc.double: {"skill":REPLY,"re":ID,"payload":{"twice":42}}
      service
          .respond("svc.double", req -> "{\"twice\":" + 2 * Long.parseLong(req.payloadJson()) + "}")
          .get(5, TimeUnit.SECONDS);

      Message answer = caller.request("svc.double", "21", Duration.ofSeconds(5)).get();
      System.out.println(answer.payloadJson()); // {"twice":42}
      // README: end
      assertThat(answer.payloadJson()).isEqualTo("{\"twice\":42}");
      assertThatThrownBy(() -> caller.request("svc.none", "1", Duration.ofSeconds(30)).get())
          .hasMessageContaining("no receivers for 'svc.none'");
    }
  }

  @Test
  void busClientFailoverExample() throws Exception {
    int deadPort;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort(); // nobody listens there once it is closed
    }
    String primary = "ws://127.0.0.1:" + deadPort + "/";
    String backup = "ws://127.0.0.1:" + bus.get().port() + "/";
    // README: failover
    try (BusClient bus = BusClient.builder().uris(primary, backup).build()) {
      bus.connect(); // tries primary, then backup
      bus.register("skill1").get(5, TimeUnit.SECONDS);
      System.out.println("connected to " + bus.uri()); // the one that answered
      // README: end
      assertThat(bus.uri().toString()).isEqualTo(backup);
      assertThat(bus.isConnected()).isTrue();
    }
  }

  @Test
  void webSocketClientQExample() throws Exception {
    BusServer server = bus.get();
    String host = "127.0.0.1";
    int port = server.port();
    // README: WebSocketClientQ
    Deque<byte[]> q = new ConcurrentLinkedDeque<>();
    WebSocketClientQ ws = new WebSocketClientQ(q, host, port, "/");
    new Thread(ws::runForever).start();
    while (!ws.emitText("{\"register\":\"skill1\"}")) {
      Thread.onSpinWait(); // not connected yet
    }

    WebSocketClientQ tx = new WebSocketClientQ(new ConcurrentLinkedDeque<>(), host, port, "/");
    new Thread(tx::runForever).start();
    await().until(tx::isConnected);
    await().until(() -> server.router().receiverCounts().containsKey("skill1")); // (test only)
    tx.emitBinary(
        ("{\"skill\":\"skill1\",\"payload\":\"" + Instant.now() + "\"}")
            .getBytes(StandardCharsets.UTF_8));

    await().until(() -> !q.isEmpty());
    String packet = new String(q.pollFirst(), StandardCharsets.UTF_8);
    ws.emitText("{\"ack\":\"\"}"); // ready for the next packet
    // README: end
    assertThat(packet).startsWith("{\"skill\":\"skill1\",\"payload\":\"");
    ws.close();
    tx.close();
  }
}
