package io.qmsgbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.OverflowPolicy;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.LeakGuard;
import io.qmsgbus.transport.BusServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Durable sessions over a real socket (docs/PROTOCOL.md section 8): a named session outlives its
 * connection, keeps queueing, resumes with the unacked packet first, is taken over by a second
 * connection, expires, starts clean on request; publisher confirms.
 */
@ExtendWith(LeakGuard.class)
class SessionsIT {

  private BusServer server;
  private final List<JdkSocket> sockets = new ArrayList<>();

  private void start(ServerConfig config) {
    server = BusServer.start(config.withPort(0));
  }

  private void start() {
    start(ServerConfig.defaults());
  }

  @AfterEach
  void stop() {
    sockets.forEach(JdkSocket::close);
    if (server != null) {
      server.close();
    }
  }

  private JdkSocket open(String path) {
    JdkSocket s = JdkSocket.open(server.port(), path);
    sockets.add(s);
    return s;
  }

  /** Sends a control packet with an id and waits for its reply: everything before it is applied. */
  private static void barrier(JdkSocket s, int id) throws InterruptedException {
    s.text("{\"buffering\":false,\"id\":" + id + "}");
    assertThat(s.next()).isEqualTo("{\"id\":" + id + ",\"ok\":true}");
  }

  private void awaitDetached(String name) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server
                    .sessionRegistry()
                    .named(name)
                    .snapshot()
                    .get()
                    .remoteAddress()
                    .equals("detached"));
  }

  private static String data(String skill, int n) {
    return "{\"skill\":\"" + skill + "\",\"n\":" + n + "}";
  }

  @Test
  void aDetachedSessionKeepsQueueingAndResumesWithTheUnackedPacketFirst() throws Exception {
    start();
    JdkSocket receiver = open("/?session=r1");
    receiver.text("{\"register\":\"s\",\"id\":1}");
    assertThat(receiver.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    JdkSocket pub = open("/");
    pub.text(data("s", 1)).text(data("s", 2));
    assertThat(receiver.next()).isEqualTo("bin:" + data("s", 1)); // in flight, never acked
    receiver.drop();
    awaitDetached("r1");
    for (int n = 3; n <= 5; n++) {
      pub.text(data("s", n)); // while detached: queued
    }
    barrier(pub, 9);
    JdkSocket back = open("/?session=r1");
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String m = back.next();
      assertThat(m).startsWith("bin:");
      got.add(Integer.parseInt(m.replaceAll("\\D+", " ").trim().split(" ")[0]));
      back.text("{\"ack\":\"\"}");
    }
    assertThat(got).containsExactly(1, 2, 3, 4, 5); // 1 again: it was never acked
    assertThat(server.registrations()).isEqualTo(1);
  }

  @Test
  void aSecondConnectionTakesTheSessionOverAndTheFirstIsClosedWith4000() throws Exception {
    start();
    JdkSocket first = open("/?session=shared");
    first.text("{\"register\":\"s\",\"id\":1}");
    assertThat(first.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    JdkSocket second = open("/?session=shared");
    assertThat(first.closeCode.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(4000);
    assertThat(first.closeReason.get()).isEqualTo("session taken over");
    open("/").text(data("s", 7));
    assertThat(second.next()).isEqualTo("bin:" + data("s", 7)); // the registration came along
    assertThat(server.sessionCount()).isEqualTo(2);
  }

  @Test
  void aSessionExpiresAfterItsExpiryAndItsRegistrationsGo() throws Exception {
    start();
    JdkSocket s = open("/?session=brief&expiry=1");
    s.text("{\"register\":\"s\",\"id\":1}");
    assertThat(s.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    s.drop();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.sessionRegistry().named("brief") == null);
    assertThat(server.registrations()).isZero();
    assertThat(server.router().hasReceivers("s")).isFalse();
  }

  @Test
  void expiryZeroEndsTheSessionWithItsConnection() throws Exception {
    start();
    JdkSocket s = open("/?session=now&expiry=0");
    barrier(s, 1);
    s.drop();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.sessionCount() == 0);
  }

  @Test
  void cleanStartDiscardsTheQueueAndRegistrations() throws Exception {
    start();
    JdkSocket s = open("/?session=c");
    s.text("{\"register\":\"s\",\"id\":1}");
    assertThat(s.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    s.drop();
    JdkSocket pub = open("/");
    pub.text(data("s", 1));
    barrier(pub, 2);
    JdkSocket fresh = open("/?session=c&clean=true");
    barrier(fresh, 3); // nothing arrived before the barrier's reply
    assertThat(server.registrations()).isZero();
  }

  @Test
  void theFirstPacketCanNameTheSessionAndALaterOneCannot() throws Exception {
    start();
    JdkSocket s = open("/");
    s.text("{\"session\":\"p1\",\"register\":\"s\",\"id\":1}");
    assertThat(s.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    s.text("{\"session\":\"p2\",\"id\":2}");
    assertThat(s.next()).contains("\"id\":2,\"ok\":false").contains("first packet");
    s.drop();
    JdkSocket pub = open("/");
    pub.text(data("s", 1));
    barrier(pub, 3);
    JdkSocket back = open("/");
    back.text("{\"session\":\"p1\"}");
    assertThat(back.next()).isEqualTo("bin:" + data("s", 1));
  }

  @Test
  void aClientThatAskedForNoticesHearsItsSessionWasResumed() throws Exception {
    start();
    JdkSocket s = open("/?session=n");
    s.text("{\"register\":\"s\",\"notices\":true,\"fastpush\":false,\"id\":1}");
    assertThat(s.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    s.drop();
    JdkSocket pub = open("/");
    pub.text(data("s", 1)).text(data("s", 2));
    barrier(pub, 2);
    JdkSocket back = open("/?session=n");
    assertThat(back.next()).isEqualTo("{\"session\":\"n\",\"resumed\":true,\"queued\":2}");
    assertThat(back.next()).isEqualTo("bin:" + data("s", 1));
  }

  @Test
  void aBadSessionNameOnTheUrlIsClosedWithTheReason() throws Exception {
    start();
    JdkSocket s = open("/?session=no%20spaces");
    assertThat(s.closeCode.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(s.closeReason.get()).contains("session name may hold only");
  }

  @Test
  void confirmsSayOkOnceStoredForEveryDurableReceiver() throws Exception {
    start();
    JdkSocket receiver = open("/?session=d");
    receiver.text("{\"register\":\"s\",\"id\":1}");
    assertThat(receiver.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    JdkSocket pub = open("/");
    pub.text("{\"confirms\":true,\"id\":0}");
    assertThat(pub.next()).isEqualTo("{\"id\":0,\"ok\":true}");
    pub.text("{\"skill\":\"s\",\"id\":\"a\",\"n\":1}");
    assertThat(pub.next()).isEqualTo("{\"id\":\"a\",\"ok\":true}");
    pub.text("{\"skill\":\"nobody\",\"id\":\"b\"}");
    assertThat(pub.next()).isEqualTo("{\"id\":\"b\",\"ok\":true}");
    pub.text(data("s", 2)); // no id: no reply
    barrier(pub, 3);
  }

  @Test
  void aConfirmFailsWhenADurableReceiversQueueIsFull() throws Exception {
    start(
        ServerConfig.defaults()
            .withMaxQueuePackets(1)
            .withOverflowPolicy(OverflowPolicy.DROP_NEWEST));
    JdkSocket receiver = open("/?session=full");
    receiver.text("{\"register\":\"s\",\"id\":1}");
    assertThat(receiver.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    JdkSocket pub = open("/");
    pub.text("{\"confirms\":true}");
    for (String id : List.of("a", "b", "c")) { // a in flight, b queued, c over the bound
      pub.text("{\"skill\":\"s\",\"id\":\"" + id + "\"}");
    }
    assertThat(pub.next()).isEqualTo("{\"id\":\"a\",\"ok\":true}");
    assertThat(pub.next()).isEqualTo("{\"id\":\"b\",\"ok\":true}");
    assertThat(pub.next())
        .isEqualTo("{\"id\":\"c\",\"ok\":false,\"error\":\"dropped by a full queue\"}");
  }

  @Test
  void whileDetachedTheQueueKeepsItsBoundsAndPolicy() throws Exception {
    start(ServerConfig.defaults().withMaxQueuePackets(2)); // drop-oldest
    JdkSocket s = open("/?session=bounded");
    s.text("{\"register\":\"s\",\"id\":1}");
    assertThat(s.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    s.drop();
    awaitDetached("bounded");
    JdkSocket pub = open("/");
    for (int n = 1; n <= 6; n++) {
      pub.text(data("s", n));
    }
    barrier(pub, 2);
    JdkSocket back = open("/?session=bounded");
    assertThat(back.next()).isEqualTo("bin:" + data("s", 5)); // the two freshest
    back.text("{\"ack\":\"\"}");
    assertThat(back.next()).isEqualTo("bin:" + data("s", 6));
    assertThat(server.metrics().packetsDropped.sum()).isEqualTo(4);
  }
}
