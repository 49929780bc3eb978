package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.Started;
import io.qmsgbus.transport.BusServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Java client's durable sessions and publisher confirms against the real server. */
class BusClientSessionIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  final Started<BusServer> bus =
      Started.perTest(() -> BusServer.start(ServerConfig.defaults().withPort(0)));

  private final List<BusClient> clients = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    clients.forEach(BusClient::close); // before the server closes
  }

  private BusClient client(BusClient.Builder b) throws BusException {
    BusClient c = b.port(bus.get().port()).build();
    clients.add(c);
    c.connect();
    return c;
  }

  @Test
  void whatArrivesWhileAwayIsWaitingWhenTheSessionComesBack() throws Exception {
    BusClient first = client(BusClient.builder().session("java-inbox"));
    first.register("news").get(10, TimeUnit.SECONDS);
    first.close();
    await().atMost(WAIT).until(() -> bus.get().sessionRegistry().named("java-inbox") != null);
    BusClient pub = client(BusClient.builder().confirms(true));
    for (int i = 1; i <= 3; i++) {
      pub.publishConfirmed("news", Integer.toString(i)).get(10, TimeUnit.SECONDS);
    }
    BusClient back = client(BusClient.builder().session("java-inbox"));
    for (int i = 1; i <= 3; i++) {
      assertThat(back.take(WAIT).text())
          .isEqualTo("{\"skill\":\"news\",\"id\":" + i + ",\"payload\":" + i + "}");
    }
  }

  @Test
  void aConfirmFailsWithTheServersReason() throws Exception {
    bus.replace(
        () -> BusServer.start(ServerConfig.defaults().withPort(0).withMaxPacketsPerSecond(1)));
    BusClient pub = client(BusClient.builder().confirms(true));
    pub.publishConfirmed("s", "1").get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> pub.publishConfirmed("s", "2").get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("rate limit");
  }

  @Test
  void aClientWhoseSessionIsTakenOverStopsAndSaysSo() throws Exception {
    List<String> errors = new CopyOnWriteArrayList<>();
    BusClient first = client(BusClient.builder().session("contested"));
    first.onError(errors::add);
    client(BusClient.builder().session("contested"));
    await().atMost(WAIT).until(first::sessionTakenOver);
    assertThat(errors).anyMatch(e -> e.contains("session taken over"));
    await().atMost(WAIT).until(() -> !first.isConnected());
  }

  @Test
  void theSessionNameAndOptionsGoOnTheUrl() {
    BusClient c =
        BusClient.builder()
            .port(1)
            .session("a b")
            .sessionExpiry(Duration.ofMinutes(2))
            .cleanSession(true)
            .build();
    assertThat(c.uri().toString()).isEqualTo("ws://127.0.0.1:1/?session=a+b&expiry=120");
  }
}
