package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.Started;
import io.qmsgbus.transport.BusServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link BusClient#request} and {@link BusClient#respond} against the real server. */
class BusClientRequestTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  final Started<BusServer> bus =
      Started.perTest(() -> BusServer.start(ServerConfig.defaults().withPort(0)));

  private final List<BusClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(BusClient::close);
  }

  private BusClient client(boolean autoAck) throws BusException {
    BusClient c =
        BusClient.builder()
            .port(bus.get().port())
            .connectTimeout(Duration.ofSeconds(5))
            .autoAck(autoAck)
            .build();
    clients.add(c);
    c.connect();
    return c;
  }

  private static <T> T done(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aResponderAnswersARequest() throws Exception {
    BusClient responder = client(true);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    done(
        responder.respond(
            "svc.double",
            m -> {
              seen.add(m.text());
              return "{\"twice\":" + 2 * Long.parseLong(m.payloadJson()) + "}";
            }));
    BusClient requester = client(true);

    Message answer = done(requester.request("svc.double", "21", WAIT));

    assertThat(answer.payloadJson()).isEqualTo("{\"twice\":42}");
    assertThat(answer.skill()).startsWith("_inbox.");
    assertThat(answer.text()).matches("\\{\"skill\":\"_inbox\\.[a-z2-7]{16}\",\"re\":\\d+,.*");
    assertThat(seen)
        .singleElement()
        .asString()
        .matches(
            "\\{\"skill\":\"svc\\.double\",\"reply\":\"_inbox\\.[a-z2-7]{16}\",\"id\":\\d+,"
                + "\"payload\":21}");
    // the same inbox for the next request on this connection
    Message again = done(requester.request("svc.double", "1", WAIT));
    assertThat(again.payloadJson()).isEqualTo("{\"twice\":2}");
    assertThat(again.skill()).isEqualTo(answer.skill());
  }

  @Test
  void aRequestNobodyReceivesFailsAtOnceWithTheServersReason() throws Exception {
    BusClient requester = client(true);
    // the request's own timeout is far away: only the server's answer can end it in time
    CompletableFuture<Message> f = requester.request("svc.none", "1", Duration.ofMinutes(5));
    assertThatThrownBy(() -> done(f))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(BusException.class)
        .hasMessage("no receivers for 'svc.none'");
    assertThat(requester.isConnected()).isTrue();
  }

  @Test
  void aRequestNobodyAnswersTimesOut() throws Exception {
    BusClient silent = client(true);
    done(silent.register("svc.silent"));
    BusClient requester = client(true);
    CompletableFuture<Message> f =
        requester.request("svc.silent", "\"hi\"", Duration.ofMillis(300));
    Message request = silent.take(WAIT); // it was delivered, just never answered
    assertThat(request).isNotNull();
    assertThat(request.text()).contains("\"reply\":\"_inbox.").contains("\"payload\":\"hi\"");
    assertThatThrownBy(() -> done(f))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(TimeoutException.class);
  }

  @Test
  void concurrentRequestsEachGetTheirOwnAnswer() throws Exception {
    BusClient responder = client(true);
    done(responder.respond("svc.sq", m -> String.valueOf(sq(Long.parseLong(m.payloadJson())))));
    BusClient requester = client(true);
    int n = 200;
    List<Thread> threads = new ArrayList<>();
    java.util.concurrent.atomic.AtomicReferenceArray<CompletableFuture<Message>> slots =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(n);
    for (int t = 0; t < 4; t++) {
      int first = t;
      Thread thread =
          new Thread(
              () -> {
                for (int i = first; i < n; i += 4) {
                  slots.set(i, requester.request("svc.sq", String.valueOf(i), WAIT));
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    for (int i = 0; i < n; i++) {
      Message m = done(slots.get(i));
      assertThat(m.payloadJson()).as("answer to %d", i).isEqualTo(String.valueOf(sq(i)));
    }
  }

  private static long sq(long x) {
    return x * x;
  }

  @Test
  void answersAreMatchedByReNotByOrder() throws Exception {
    BusClient server = client(true); // answers by hand, in reverse order
    done(server.register("svc.rev"));
    BusClient requester = client(true);
    CompletableFuture<Message> a = requester.request("svc.rev", "\"a\"", WAIT);
    CompletableFuture<Message> b = requester.request("svc.rev", "\"b\"", WAIT);
    Message ra = server.take(WAIT);
    Message rb = server.take(WAIT);
    assertThat(ra).isNotNull();
    assertThat(rb).isNotNull();
    for (Message r : List.of(rb, ra)) {
      String reply = JsonReader.topLevelString(r.text(), "reply");
      String id = JsonReader.topLevelRaw(r.text(), "id");
      done(
          server.publishRaw(
              ("{\"skill\":\"" + reply + "\",\"re\":" + id + ",\"payload\":" + r.payloadJson())
                  .concat("}")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    assertThat(done(a).payloadJson()).isEqualTo("\"a\"");
    assertThat(done(b).payloadJson()).isEqualTo("\"b\"");
  }

  @Test
  void otherMessagesStillFlowAndAnswersStayOutOfThem() throws Exception {
    BusClient responder = client(true);
    done(responder.respond("svc.echo", Message::payloadJson));
    BusClient requester = client(false); // manual ACK: the client ACKs the answers itself
    done(requester.register("news"));
    BusClient publisher = client(true);
    for (int i = 0; i < 3; i++) {
      assertThat(done(requester.request("svc.echo", String.valueOf(i), WAIT)).payloadJson())
          .isEqualTo(String.valueOf(i));
    }
    done(publisher.publishJson("news", "7"));
    Message news = requester.take(WAIT);
    assertThat(news).isNotNull();
    assertThat(news.text()).isEqualTo("{\"skill\":\"news\",\"payload\":7}");
    done(requester.ack());
    // after the app's ACK, requests work on
    assertThat(done(requester.request("svc.echo", "8", WAIT)).payloadJson()).isEqualTo("8");
    assertThat(requester.take(Duration.ofMillis(200))).isNull(); // no answer leaked into take
  }

  @Test
  void aResponderCopiesAStringIdAndSkipsPacketsWithoutReply() throws Exception {
    BusClient responder = client(true);
    done(responder.respond("svc.s", m -> "\"ok\""));
    BusClient other = client(true);
    done(other.register("box.x"));
    BusClient raw = client(true);
    done(raw.publishJson("svc.s", "0")); // no reply: dropped by the responder
    done(
        raw.publishRaw(
            "{\"skill\":\"svc.s\",\"reply\":\"box.x\",\"id\":\"abc\",\"payload\":1}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    Message m = other.take(WAIT);
    assertThat(m).isNotNull();
    assertThat(m.text()).isEqualTo("{\"skill\":\"box.x\",\"re\":\"abc\",\"payload\":\"ok\"}");
  }

  @Test
  void aRequestWhileDisconnectedFails() throws Exception {
    BusClient c = BusClient.builder().port(bus.get().port()).build();
    clients.add(c);
    assertThatThrownBy(() -> done(c.request("x", "1", WAIT)))
        .cause()
        .isInstanceOf(BusException.class);
    assertThatThrownBy(() -> c.request("x", "not json", WAIT))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
