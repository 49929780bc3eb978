package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.Started;
import io.qmsgbus.transport.BusServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The idiomatic client against the real server: requests, delivery modes, errors. */
class BusClientTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** How long "nothing arrives" is watched for; only a broken server could make it pass wrongly. */
  private static final Duration QUIET = Duration.ofMillis(300);

  @RegisterExtension
  final Started<BusServer> bus =
      Started.perTest(() -> BusServer.start(ServerConfig.defaults().withPort(0)));

  private final List<BusClient> clients = new ArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(BusClient::close); // before the server closes
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

  private static String packet(String skill, int n) {
    return "{\"skill\":\"" + skill + "\",\"payload\":" + n + "}";
  }

  /**
   * Publishes, then makes a request on the same connection: its reply means the server read both.
   */
  private static void publishAndSync(BusClient sender, String... packets) throws Exception {
    for (String p : packets) {
      done(sender.publishRaw(p.getBytes(StandardCharsets.UTF_8)));
    }
    done(sender.deregister("sync-point"));
  }

  @Test
  void registerCompletesWhenTheServerConfirms() throws Exception {
    BusClient c = client(true);
    done(c.register("a", "b"));
    done(c.register("a")); // twice is harmless
    assertThat(c.registeredSkills()).containsExactlyInAnyOrder("a", "b");
    done(c.deregister("b", "never-registered"));
    assertThat(c.registeredSkills()).containsExactly("a");
    assertThat(c.isConnected()).isTrue();
    assertThat(c.uri().toString()).isEqualTo("ws://127.0.0.1:" + bus.get().port() + "/");
  }

  @Test
  void autoAckDeliversManyPacketsInOrder() throws Exception {
    BusClient receiver = client(true);
    BusClient sender = client(true);
    done(receiver.register("news"));

    int count = 100;
    for (int i = 0; i < count; i++) {
      sender.publishJson("news", Integer.toString(i));
    }
    for (int i = 0; i < count; i++) {
      Message m = receiver.take(WAIT);
      assertThat(m).as("packet %d", i).isNotNull();
      assertThat(m.skill()).isEqualTo("news");
      assertThat(m.text()).isEqualTo(packet("news", i));
    }
    assertThat(receiver.take(QUIET)).isNull();
  }

  @Test
  void publishVariantsBuildTheRightPackets() throws Exception {
    BusClient receiver = client(true);
    BusClient sender = client(true);
    done(receiver.register("s\"x"));

    done(sender.publishText("s\"x", "line \"one\"\n"));
    done(sender.publishJson("s\"x", "{\"a\":[1,2]}"));
    byte[] raw =
        "{\"payload\":null,\"skill\":\"s\\\"x\",\"extra\":true}".getBytes(StandardCharsets.UTF_8);
    done(sender.publishRaw(raw));

    Message text = receiver.take(WAIT);
    assertThat(text.text()).isEqualTo("{\"skill\":\"s\\\"x\",\"payload\":\"line \\\"one\\\"\\n\"}");
    assertThat(text.skill()).isEqualTo("s\"x");
    assertThat(receiver.take(WAIT).text())
        .isEqualTo("{\"skill\":\"s\\\"x\",\"payload\":{\"a\":[1,2]}}");
    Message rawBack = receiver.take(WAIT);
    assertThat(rawBack.bytes()).isEqualTo(raw);
    assertThat(rawBack.size()).isEqualTo(raw.length);
    assertThat(rawBack.skill()).isEqualTo("s\"x");

    assertThatThrownBy(() -> sender.publishJson("s", "not json"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sender.register()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void handlerReceivesInOrderAndAutoAcks() throws Exception {
    BusClient receiver = client(true);
    BusClient sender = client(true);
    List<String> got = new CopyOnWriteArrayList<>();
    receiver.onMessage(m -> got.add(m.text()));
    done(receiver.register("h"));

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expected.add(packet("h", i));
      sender.publishJson("h", Integer.toString(i));
    }
    await().atMost(WAIT).until(() -> got.size() == expected.size());
    assertThat(got).containsExactlyElementsOf(expected);
    assertThatThrownBy(() -> receiver.take(QUIET)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void manualAckPacesDelivery() throws Exception {
    BusClient receiver = client(false);
    BusClient sender = client(true);
    done(receiver.register("m"));

    publishAndSync(sender, packet("m", 1), packet("m", 2));
    assertThat(receiver.take(WAIT).text()).isEqualTo(packet("m", 1));
    assertThat(receiver.take(QUIET)).as("second packet before the ACK").isNull();

    done(receiver.ack());
    assertThat(receiver.take(WAIT).text()).isEqualTo(packet("m", 2));
  }

  @Test
  void bufferingAndGetRedeliverTheUnackedPacket() throws Exception {
    BusClient receiver = client(false);
    BusClient sender = client(true);
    done(receiver.register("b"));
    done(receiver.buffering(true));

    publishAndSync(sender, packet("b", 1), packet("b", 2));
    assertThat(receiver.take(WAIT).text()).isEqualTo(packet("b", 1));
    done(receiver.get());
    assertThat(receiver.take(WAIT).text())
        .as("GET re-sends the kept packet")
        .isEqualTo(packet("b", 1));
    done(receiver.get());
    assertThat(receiver.take(WAIT).text()).as("as often as asked").isEqualTo(packet("b", 1));

    done(receiver.ack()); // releases the kept packet and lets the next one come
    assertThat(receiver.take(WAIT).text()).isEqualTo(packet("b", 2));
    done(receiver.ack());
    done(receiver.get()); // the ACKed packet is gone: nothing is re-sent
    assertThat(receiver.take(QUIET)).isNull();
  }

  @Test
  void fastpushSendsWithoutWaitingForAcks() throws Exception {
    BusClient receiver = client(false);
    BusClient sender = client(true);
    done(receiver.register("f"));
    done(receiver.fastpush(true));

    for (int i = 0; i < 10; i++) {
      sender.publishJson("f", Integer.toString(i));
    }
    for (int i = 0; i < 10; i++) { // no ACK at all
      assertThat(receiver.take(WAIT).text()).isEqualTo(packet("f", i));
    }

    done(receiver.fastpush(false));
    done(receiver.ack()); // clears the in-flight flag the fast-pushed packets set
    publishAndSync(sender, packet("f", 10), packet("f", 11));
    assertThat(receiver.take(WAIT).text()).isEqualTo(packet("f", 10));
    assertThat(receiver.take(QUIET)).as("back to one at a time").isNull();
  }

  @Test
  void refusedRequestFailsItsFutureWithTheServersError() throws Exception {
    BusClient c = client(true);
    assertThatThrownBy(() -> done(c.register("")))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(BusException.class)
        .hasMessageContaining("skill");
    assertThatThrownBy(() -> done(c.register("x".repeat(100_000))))
        .cause()
        .isInstanceOf(BusException.class)
        .hasMessageContaining("skill");
    assertThat(c.registeredSkills()).isEmpty();
    // the connection stays usable
    done(c.register("ok"));
    assertThat(c.registeredSkills()).containsExactly("ok");
  }

  @Test
  void errorsWithoutAnIdGoToTheErrorListener() throws Exception {
    BusClient c = client(true);
    BlockingQueue<String> errors = new LinkedBlockingQueue<>();
    c.onError(errors::add);
    done(c.publishRaw("{\"no-skill\":1}".getBytes(StandardCharsets.UTF_8)));
    assertThat(errors.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotBlank();
  }

  @Test
  void requestsFailWhenNotConnected() throws Exception {
    BusClient c = BusClient.builder().port(bus.get().port()).build();
    clients.add(c);
    assertThat(c.isConnected()).isFalse();
    assertThatThrownBy(() -> done(c.register("a"))).cause().isInstanceOf(BusException.class);
    assertThatThrownBy(() -> done(c.publishText("a", "x")))
        .cause()
        .isInstanceOf(BusException.class);
    assertThat(c.take(Duration.ofMillis(10))).isNull();
  }

  @Test
  void connectFailsWhenNobodyListens() {
    int port = bus.get().port();
    bus.get().close();
    BusClient c = BusClient.builder().port(port).connectTimeout(Duration.ofSeconds(2)).build();
    clients.add(c);
    assertThatThrownBy(c::connect)
        .isInstanceOf(BusException.class)
        .hasMessageContaining(Integer.toString(port));
    assertThat(c.isConnected()).isFalse();
  }

  @Test
  void closeIsCleanAndFinal() throws Exception {
    BusClient c = BusClient.connect("ws://127.0.0.1:" + bus.get().port() + "/ws");
    clients.add(c);
    done(c.register("a"));
    await().atMost(WAIT).until(() -> bus.get().sessionCount() == 1);
    c.close();
    c.close(); // idempotent
    assertThat(c.isConnected()).isFalse();
    await().atMost(WAIT).until(() -> bus.get().sessionCount() == 0);
    assertThatThrownBy(() -> done(c.register("b"))).cause().isInstanceOf(BusException.class);
    assertThatThrownBy(c::connect).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void reconnectsAndReappliesRegistrationsAndFlags() throws Exception {
    int port = bus.get().port();
    BusClient receiver =
        BusClient.builder()
            .port(port)
            .autoAck(false)
            .reconnect(true, Duration.ofMillis(50), Duration.ofMillis(400))
            .build();
    clients.add(receiver);
    CompletableFuture<Void> reconnected = new CompletableFuture<>();
    receiver.onReconnect(() -> reconnected.complete(null));
    receiver.connect();
    done(receiver.register("r1", "r2"));
    done(receiver.fastpush(true));

    bus.get().close();
    await().atMost(WAIT).until(() -> !receiver.isConnected());
    assertThatThrownBy(() -> done(receiver.register("r3")))
        .cause()
        .isInstanceOf(BusException.class);

    bus.replace(
        () ->
            await()
                .atMost(WAIT)
                .ignoreExceptions()
                .until(() -> BusServer.start(ServerConfig.defaults().withPort(port)), s -> true));
    done(reconnected);
    assertThat(receiver.isConnected()).isTrue();
    assertThat(receiver.registeredSkills()).containsExactlyInAnyOrder("r1", "r2");

    BusClient sender = client(true);
    for (int i = 0; i < 3; i++) {
      sender.publishJson(i == 1 ? "r2" : "r1", Integer.toString(i));
    }
    // registrations back, and fast-push too: all three arrive without a single ACK
    assertThat(receiver.take(WAIT).text()).isEqualTo(packet("r1", 0));
    assertThat(receiver.take(WAIT).text()).isEqualTo(packet("r2", 1));
    assertThat(receiver.take(WAIT).text()).isEqualTo(packet("r1", 2));
  }
}
