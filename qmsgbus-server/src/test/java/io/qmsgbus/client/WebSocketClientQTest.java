package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.Started;
import io.qmsgbus.transport.BusServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The seed-style client against the real server, used the way the seed's examples use it. */
class WebSocketClientQTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  final Started<BusServer> bus =
      Started.perTest(() -> BusServer.start(ServerConfig.defaults().withPort(0)));

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<WebSocketClientQ> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(WebSocketClientQ::close);
    threads.shutdownNow();
  }

  /** A client with its runForever thread started, as in the seed's examples. */
  private Running running(Deque<byte[]> queue) {
    WebSocketClientQ ws = new WebSocketClientQ(queue, "127.0.0.1", bus.get().port(), "/");
    clients.add(ws);
    BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    ws.setTextListener(texts::add);
    CompletableFuture<Void> loop = CompletableFuture.runAsync(ws::runForever, threads);
    await().atMost(WAIT).until(ws::isConnected);
    return new Running(ws, texts, loop);
  }

  private record Running(
      WebSocketClientQ ws, BlockingQueue<String> texts, CompletableFuture<Void> loop) {
    /** Sends a control packet carrying an id and waits for the server's answer. */
    String control(String json) throws InterruptedException {
      assertThat(ws.emitText(json)).isTrue();
      return texts.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void sendsAndReceivesBetweenTwoClientsWithAckPacing() throws Exception {
    Deque<byte[]> inbox = new ConcurrentLinkedDeque<>();
    Running receiver = running(inbox);
    Running sender = running(new ConcurrentLinkedDeque<>());
    assertThat(receiver.control("{\"register\":\"skill1\",\"id\":1}"))
        .isEqualTo("{\"id\":1,\"ok\":true}");

    // exact bytes survive, including spacing a re-serializer would change
    byte[] first = utf8("{ \"skill\" : \"skill1\", \"payload\": \"2024-01-01 10:00:00\" }");
    byte[] second = utf8("{\"skill\":\"skill1\",\"payload\":{\"n\":2,\"é\":\"ü\"}}");
    assertThat(sender.ws().emitBinary(first)).isTrue();
    assertThat(sender.ws().emitBinary(second)).isTrue();

    await().atMost(WAIT).until(() -> !inbox.isEmpty());
    assertThat(inbox.pollFirst()).isEqualTo(first);
    // window of one: the second packet waits in the server for our ACK
    assertThat(receiver.control("{\"get\":\"\",\"id\":2}")).isEqualTo("{\"id\":2,\"ok\":true}");
    assertThat(inbox).isEmpty();

    assertThat(receiver.ws().emitText("{\"ack\":\"\"}")).isTrue();
    await().atMost(WAIT).until(() -> !inbox.isEmpty());
    assertThat(inbox.pollFirst()).isEqualTo(second);
  }

  @Test
  void seedReceiverLoopGetsManyPacketsInOrder() throws Exception {
    // a blocking deque lets the loop wait for each packet instead of polling
    LinkedBlockingDeque<byte[]> inbox = new LinkedBlockingDeque<>();
    Running receiver = running(inbox);
    Running sender = running(new ConcurrentLinkedDeque<>());
    // the seed's own literal spelling for control packets
    assertThat(receiver.control("{'register':'skill1', 'id': 1}"))
        .isEqualTo("{\"id\":1,\"ok\":true}");

    int count = 50;
    for (int i = 0; i < count; i++) {
      assertThat(sender.ws().emitBinary(utf8("{\"skill\":\"skill1\",\"payload\":" + i + "}")))
          .isTrue();
    }
    List<String> got = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] packet = inbox.pollFirst(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(packet).as("packet %d", i).isNotNull();
      got.add(new String(packet, StandardCharsets.UTF_8));
      assertThat(receiver.ws().emitText("{\"ack\":\"\"}")).isTrue();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add("{\"skill\":\"skill1\",\"payload\":" + i + "}");
    }
    assertThat(got).containsExactlyElementsOf(expected);
    assertThat(receiver.texts()).isEmpty(); // no reply without an id
  }

  @Test
  void textRepliesGoToTheListenerNeverIntoTheDeque() throws Exception {
    Deque<byte[]> inbox = new ConcurrentLinkedDeque<>();
    Running client = running(inbox);
    assertThat(client.control("{\"buffering\":true,\"id\":\"b\"}"))
        .isEqualTo("{\"id\":\"b\",\"ok\":true}");
    assertThat(client.control("not json")).contains("\"ok\":false").contains("\"error\"");
    assertThat(client.control("{\"register\":\"\",\"id\":3}")).startsWith("{\"id\":3,\"ok\":false");
    // a data packet sent as TEXT is still data; our own copy comes back as BINARY into the deque
    assertThat(client.control("{\"register\":\"self\",\"id\":4}"))
        .isEqualTo("{\"id\":4,\"ok\":true}");
    assertThat(client.ws().emitText("{\"skill\":\"self\"}")).isTrue();
    await().atMost(WAIT).until(() -> !inbox.isEmpty());
    assertThat(inbox).hasSize(1);
    assertThat(inbox.pollFirst()).isEqualTo(utf8("{\"skill\":\"self\"}"));
    assertThat(client.texts()).isEmpty();
  }

  @Test
  void emitReturnsFalseWhenNotConnected() {
    WebSocketClientQ ws =
        new WebSocketClientQ(new ConcurrentLinkedDeque<>(), "127.0.0.1", bus.get().port(), "/");
    clients.add(ws);
    assertThat(ws.isConnected()).isFalse();
    assertThat(ws.emitText("{\"ack\":\"\"}")).isFalse();
    assertThat(ws.emitBinary(utf8("{\"skill\":\"a\"}"))).isFalse();
  }

  @Test
  void closeEndsRunForeverAndLaterEmitsFail() {
    Running client = running(new ConcurrentLinkedDeque<>());
    client.ws().close();
    assertThat(client.loop()).succeedsWithin(WAIT);
    assertThat(client.ws().isConnected()).isFalse();
    assertThat(client.ws().emitText("{\"ack\":\"\"}")).isFalse();
    // after close, runForever returns at once instead of connecting again
    assertThat(CompletableFuture.runAsync(client.ws()::runForever, threads)).succeedsWithin(WAIT);
    assertThat(client.ws().isConnected()).isFalse();
  }

  @Test
  void closeFromTheTextListenerDoesNotStall() {
    // a close timeout far above the wait below: only a close that skips waiting can pass
    WebSocketClientQ ws =
        new WebSocketClientQ(
            new ConcurrentLinkedDeque<>(),
            "127.0.0.1",
            bus.get().port(),
            "/",
            Duration.ofSeconds(60));
    clients.add(ws);
    ws.setTextListener(reply -> ws.close());
    CompletableFuture<Void> loop = CompletableFuture.runAsync(ws::runForever, threads);
    await().atMost(WAIT).until(ws::isConnected);
    assertThat(ws.emitText("{\"ack\":\"\",\"id\":1}")).isTrue();
    assertThat(loop).succeedsWithin(Duration.ofSeconds(5));
    assertThat(ws.isConnected()).isFalse();
  }

  @Test
  void runForeverReturnsWhenTheServerGoesAwayAndCanBeCalledAgain() throws Exception {
    Running client = running(new ConcurrentLinkedDeque<>());
    int port = bus.get().port();
    bus.get().close();
    assertThat(client.loop()).succeedsWithin(WAIT);
    assertThat(client.ws().isConnected()).isFalse();
    assertThat(client.ws().emitText("{\"ack\":\"\"}")).isFalse();

    bus.replace(
        () ->
            await()
                .atMost(WAIT)
                .ignoreExceptions()
                .until(() -> BusServer.start(ServerConfig.defaults().withPort(port)), s -> true));
    CompletableFuture<Void> again = CompletableFuture.runAsync(client.ws()::runForever, threads);
    await().atMost(WAIT).until(client.ws()::isConnected);
    assertThat(client.ws().emitText("{\"ack\":\"\"}")).isTrue();
    client.ws().close();
    assertThat(again).succeedsWithin(WAIT);
  }

  @Test
  void runForeverReturnsWhenNobodyListens() {
    int port = bus.get().port();
    bus.get().close();
    WebSocketClientQ ws =
        new WebSocketClientQ(
            new ConcurrentLinkedDeque<>(), "127.0.0.1", port, "ws", Duration.ofSeconds(2));
    clients.add(ws);
    assertThat(CompletableFuture.runAsync(ws::runForever, threads)).succeedsWithin(WAIT);
    assertThat(ws.isConnected()).isFalse();
    assertThat(ws.uri().toString()).isEqualTo("ws://127.0.0.1:" + port + "/ws");
  }
}
