package io.qmsgbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Receiver groups over real sockets: one delivery per packet, to a free member, none lost. */
class GroupsIT {

  private BusServer server;
  private final List<JdkSocket> sockets = new ArrayList<>();

  @AfterEach
  void stop() {
    sockets.forEach(JdkSocket::close);
    if (server != null) {
      server.close();
    }
  }

  private void start(ServerConfig c) {
    server = BusServer.start(c.withPort(0));
  }

  private JdkSocket client() {
    JdkSocket s = JdkSocket.open(server.port(), "/");
    sockets.add(s);
    return s;
  }

  /** A member of {@code group} for {@code skill}, in ACK mode (one packet at a time). */
  private JdkSocket member(String skill, String group) throws Exception {
    JdkSocket m = client();
    m.text("{\"register\":\"" + skill + "\",\"group\":\"" + group + "\",\"id\":\"g\"}");
    assertThat(m.next()).isEqualTo("{\"id\":\"g\",\"ok\":true}");
    return m;
  }

  private static int n(String bin) {
    return Integer.parseInt(bin.replaceAll("^bin:.*\"n\":(\\d+).*$", "$1"));
  }

  private static void publish(JdkSocket pub, String skill, int from, int to) {
    for (int i = from; i <= to; i++) {
      pub.text("{\"skill\":\"" + skill + "\",\"n\":" + i + "}");
    }
  }

  @Test
  void eachPacketGoesToExactlyOneMemberAndAllShare() throws Exception {
    start(ServerConfig.defaults());
    List<JdkSocket> members =
        List.of(member("jobs", "w"), member("jobs", "w"), member("jobs", "w"));
    JdkSocket pub = client();
    publish(pub, "jobs", 1, 60);
    Set<Integer> seen = new HashSet<>();
    int[] per = new int[3];
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (seen.size() < 60 && System.nanoTime() < deadline) {
      for (int i = 0; i < 3; i++) { // whoever has one acks it: the group refills the free one
        String got = members.get(i).poll(i == 0 ? 5 : 0);
        if (got != null) {
          assertThat(seen.add(n(got))).as("delivered once: %s", got).isTrue();
          per[i]++;
          members.get(i).text("{\"ack\":\"\"}");
        }
      }
    }
    assertThat(seen).hasSize(60);
    for (int i = 0; i < 3; i++) {
      assertThat(per[i]).as("member %d took its share", i).isGreaterThanOrEqualTo(2);
    }
    for (JdkSocket m : members) {
      assertThat(m.poll(100)).isNull();
    }
  }

  @Test
  void theFirstPacketsGoRoundRobin() throws Exception {
    start(ServerConfig.defaults());
    List<JdkSocket> members =
        List.of(member("jobs", "w"), member("jobs", "w"), member("jobs", "w"));
    JdkSocket pub = client();
    publish(pub, "jobs", 1, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(n(members.get(i).next())).isEqualTo(i + 1);
    }
  }

  @Test
  void aBusyMemberGetsNothingMoreUntilItAcks() throws Exception {
    start(ServerConfig.defaults());
    JdkSocket stuck = member("jobs", "w");
    JdkSocket pub = client();
    publish(pub, "jobs", 1, 1);
    assertThat(n(stuck.next())).isEqualTo(1); // holds it, never acks
    JdkSocket busy = member("jobs", "w");
    publish(pub, "jobs", 2, 20);
    for (int i = 2; i <= 20; i++) {
      assertThat(n(busy.next())).isEqualTo(i);
      busy.text("{\"ack\":\"\"}");
    }
    assertThat(stuck.poll(100)).isNull();
  }

  @Test
  void aMemberThatGoesWithAPacketInFlightDoesNotLoseIt() throws Exception {
    start(ServerConfig.defaults());
    JdkSocket leaving = member("jobs", "w");
    JdkSocket pub = client();
    publish(pub, "jobs", 1, 3); // 1 in flight at leaving, 2 and 3 wait in the group queue
    assertThat(n(leaving.next())).isEqualTo(1);
    JdkSocket staying = member("jobs", "w"); // takes 2 at once
    assertThat(n(staying.next())).isEqualTo(2);
    leaving.drop(); // gone without an ack: packet 1 goes back to the group, first in line
    await().atMost(Duration.ofSeconds(10)).until(() -> server.sessionCount() == 2);
    staying.text("{\"ack\":\"\"}");
    assertThat(n(staying.next())).isEqualTo(1);
    staying.text("{\"ack\":\"\"}");
    assertThat(n(staying.next())).isEqualTo(3);
  }

  @Test
  void plainReceiversAndOtherGroupsGetTheirOwnCopies() throws Exception {
    start(ServerConfig.defaults());
    JdkSocket plain = client();
    plain.text("{\"register\":\"jobs\",\"fastpush\":true,\"id\":1}");
    assertThat(plain.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    JdkSocket a1 = member("jobs", "a");
    JdkSocket b1 = member("jobs", "b");
    JdkSocket wild = member("jobs.>", "a"); // another group: pattern jobs.> is not jobs
    JdkSocket pub = client();
    publish(pub, "jobs", 1, 1);
    publish(pub, "jobs.x", 2, 2);
    assertThat(n(plain.next())).isEqualTo(1);
    assertThat(n(a1.next())).isEqualTo(1);
    assertThat(n(b1.next())).isEqualTo(1);
    assertThat(n(wild.next())).isEqualTo(2);
    assertThat(plain.poll(100)).isNull();
  }

  @Test
  void theGroupQueueIsBoundedAndALeftMemberGetsNoMore() throws Exception {
    start(ServerConfig.defaults().with("maxGroupQueuePackets", "5"));
    JdkSocket m = member("jobs", "w");
    JdkSocket pub = client();
    publish(pub, "jobs", 1, 20); // 1 to m; 2..20 into a queue of 5: 16..20 stay
    assertThat(n(m.next())).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.metrics().packetsDropped.sum() == 14);
    for (int want = 16; want <= 20; want++) {
      m.text("{\"ack\":\"\"}");
      assertThat(n(m.next())).isEqualTo(want);
    }
    m.text("{\"deregister\":\"jobs\",\"group\":\"w\",\"id\":2}");
    String r;
    do {
      r = m.next();
    } while (r.startsWith("bin:"));
    assertThat(r).isEqualTo("{\"id\":2,\"ok\":true}");
    publish(pub, "jobs", 21, 21);
    m.text("{\"ack\":\"\"}");
    assertThat(m.poll(200)).isNull();
  }

  @Test
  void aGroupWithoutRegisterIsRefused() throws Exception {
    start(ServerConfig.defaults());
    JdkSocket c = client();
    c.text("{\"group\":\"w\",\"id\":1}");
    assertThat(c.next())
        .isEqualTo("{\"id\":1,\"ok\":false,\"error\":\"group goes with register or deregister\"}");
    c.text("{\"register\":\"j\",\"group\":\"a.*\",\"id\":2}");
    assertThat(c.next()).startsWith("{\"id\":2,\"ok\":false,\"error\":\"group name:");
  }
}
