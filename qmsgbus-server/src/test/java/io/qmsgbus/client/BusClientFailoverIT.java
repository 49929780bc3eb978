package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Java client given several servers: it fails over to the next, re-registering there. */
class BusClientFailoverIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private BusServer server1;
  private BusServer server2;
  private final List<BusClient> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    server1 = BusServer.start(ServerConfig.defaults().withPort(0));
    server2 = BusServer.start(ServerConfig.defaults().withPort(0));
  }

  @AfterEach
  void stop() {
    clients.forEach(BusClient::close);
    server1.close();
    server2.close();
  }

  private static String url(int port) {
    return "ws://127.0.0.1:" + port + "/";
  }

  private BusClient connected(BusClient.Builder b) throws BusException {
    BusClient c = b.build();
    clients.add(c);
    c.connect();
    return c;
  }

  /** A client given [server1, server2], reconnecting quickly. */
  private BusClient failoverClient(BusClient.Builder b, AtomicInteger reconnects)
      throws BusException {
    BusClient c =
        b.uris(url(server1.port()), url(server2.port()))
            .connectTimeout(Duration.ofSeconds(2))
            .reconnect(true, Duration.ofMillis(50), Duration.ofMillis(400))
            .build();
    clients.add(c);
    c.onReconnect(reconnects::incrementAndGet);
    c.connect();
    return c;
  }

  private static void done(java.util.concurrent.CompletableFuture<?> f) throws Exception {
    f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void afterFailingOverRequestsUseANewInboxOnTheNewServer() throws Exception {
    AtomicInteger reconnects = new AtomicInteger();
    BusClient requester = failoverClient(BusClient.builder(), reconnects);
    BusClient one = connected(BusClient.builder().uri(url(server1.port())));
    done(one.respond("svc", m -> "\"one\""));
    BusClient two = connected(BusClient.builder().uri(url(server2.port())));
    done(two.respond("svc", m -> "\"two\""));
    Message first = requester.request("svc", "1", WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(first.payloadJson()).isEqualTo("\"one\"");

    server1.close();
    await().atMost(WAIT).until(() -> reconnects.get() == 1);

    Message second = requester.request("svc", "2", WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(second.payloadJson()).isEqualTo("\"two\"");
    assertThat(second.skill()).startsWith("_inbox.").isNotEqualTo(first.skill());
  }

  @Test
  void whenTheFirstServerStopsTheClientMovesToTheSecondAndRegistersThere() throws Exception {
    AtomicInteger reconnects = new AtomicInteger();
    BusClient receiver = failoverClient(BusClient.builder(), reconnects);
    assertThat(receiver.uri()).isEqualTo(URI.create(url(server1.port())));
    done(receiver.register("fo1", "fo2"));
    await().atMost(WAIT).until(() -> server1.sessionCount() == 1);
    assertThat(server2.sessionCount()).isZero();

    server1.close();

    await().atMost(WAIT).until(() -> reconnects.get() == 1);
    assertThat(receiver.isConnected()).isTrue();
    assertThat(receiver.uri()).isEqualTo(URI.create(url(server2.port())));
    assertThat(receiver.registeredSkills()).containsExactlyInAnyOrder("fo1", "fo2");
    assertThat(server2.sessionCount()).isEqualTo(1);

    BusClient sender = connected(BusClient.builder().uri(url(server2.port())));
    done(sender.publishJson("fo2", "1"));
    done(sender.publishJson("fo1", "2"));
    Message first = receiver.take(WAIT);
    assertThat(first).isNotNull();
    assertThat(first.text()).isEqualTo("{\"skill\":\"fo2\",\"payload\":1}");
    Message second = receiver.take(WAIT);
    assertThat(second).isNotNull();
    assertThat(second.text()).isEqualTo("{\"skill\":\"fo1\",\"payload\":2}");
  }

  @Test
  void connectSkipsADeadFirstAddress() throws Exception {
    int dead = deadPort();
    BusClient c =
        connected(
            BusClient.builder()
                .uris(url(dead), url(server2.port()))
                .connectTimeout(Duration.ofSeconds(2)));
    assertThat(c.isConnected()).isTrue();
    assertThat(c.uri()).isEqualTo(URI.create(url(server2.port())));
    done(c.register("alive"));
    await().atMost(WAIT).until(() -> server2.sessionCount() == 1);
    assertThat(server1.sessionCount()).isZero();
  }

  @Test
  void roundRobinComesBackToTheFirstServer() throws Exception {
    AtomicInteger reconnects = new AtomicInteger();
    BusClient receiver = failoverClient(BusClient.builder(), reconnects);
    done(receiver.register("rr"));
    int port1 = server1.port();

    server1.close();
    await().atMost(WAIT).until(() -> reconnects.get() == 1);
    assertThat(receiver.uri().getPort()).isEqualTo(server2.port());

    // server1 back on its port, server2 gone: the round goes on to the start of the list
    server1 =
        await()
            .atMost(WAIT)
            .ignoreExceptions()
            .until(() -> BusServer.start(ServerConfig.defaults().withPort(port1)), s -> true);
    server2.close();
    await().atMost(WAIT).until(() -> reconnects.get() == 2);
    assertThat(receiver.uri().getPort()).isEqualTo(port1);

    BusClient sender = connected(BusClient.builder().uri(url(port1)));
    done(sender.publishText("rr", "back"));
    Message m = receiver.take(WAIT);
    assertThat(m).isNotNull();
    assertThat(m.text()).isEqualTo("{\"skill\":\"rr\",\"payload\":\"back\"}");
  }

  @Test
  void aNamedSessionKeepsItsNameOnTheNextServer() throws Exception {
    AtomicInteger reconnects = new AtomicInteger();
    BusClient receiver = failoverClient(BusClient.builder().session("fo-inbox"), reconnects);
    done(receiver.register("news"));
    await().atMost(WAIT).until(() -> server1.sessionRegistry().named("fo-inbox") != null);
    assertThat(server2.sessionRegistry().named("fo-inbox")).isNull();

    server1.close();
    await().atMost(WAIT).until(() -> reconnects.get() == 1);
    assertThat(receiver.uri().toString()).isEqualTo(url(server2.port()) + "?session=fo-inbox");
    assertThat(server2.sessionRegistry().named("fo-inbox")).isNotNull();

    BusClient sender = connected(BusClient.builder().uri(url(server2.port())));
    done(sender.publishJson("news", "7"));
    Message m = receiver.take(WAIT);
    assertThat(m).isNotNull();
    assertThat(m.text()).isEqualTo("{\"skill\":\"news\",\"payload\":7}");
  }

  /** A loopback port nobody listens on (it was free a moment ago). */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
