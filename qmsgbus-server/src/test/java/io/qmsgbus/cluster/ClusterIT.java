package io.qmsgbus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.it.JdkSocket;
import io.qmsgbus.testkit.RedisServer;
import io.qmsgbus.transport.BusServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several real nodes (in this JVM) behind a real {@code redis-server}, driven by WebSocket clients
 * over loopback: fan-out across nodes, interest pruning, the register reply, Redis killed and
 * restarted mid-stream, the subscription connection killed, and a slow receiver on one node.
 */
class ClusterIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private RedisServer redis;
  private final List<BusServer> nodes = new ArrayList<>();
  private final List<JdkSocket> sockets = new ArrayList<>();

  @BeforeEach
  void redis() throws Exception {
    RedisServer.require();
    redis = RedisServer.start();
  }

  @AfterEach
  void stop() {
    sockets.forEach(JdkSocket::close);
    nodes.forEach(BusServer::close);
    if (redis != null) {
      redis.close();
    }
  }

  private BusServer node(String name) {
    return node(name, ServerConfig.defaults());
  }

  private BusServer node(String name, ServerConfig base) {
    BusServer n =
        BusServer.start(
            base.withPort(0)
                .withCluster(redis.url(), name)
                .with("clusterUnsubscribeDelayMillis", "100"));
    nodes.add(n);
    return n;
  }

  private JdkSocket client(BusServer node) {
    JdkSocket s = JdkSocket.open(node.port(), "/");
    sockets.add(s);
    return s;
  }

  /** A receiver of {@code skill} on {@code node}, fast-push, registered (the ok is back). */
  private JdkSocket receiver(BusServer node, String skill, String... extra) throws Exception {
    JdkSocket r = client(node);
    String flags = extra.length == 0 ? "" : "," + String.join(",", extra);
    r.text("{\"register\":\"" + skill + "\",\"fastpush\":true,\"id\":\"r\"" + flags + "}");
    assertThat(r.next()).isEqualTo("{\"id\":\"r\",\"ok\":true}");
    return r;
  }

  private static String packet(String skill, int n) {
    return "{\"skill\":\"" + skill + "\",\"n\":" + n + ",\"pad\":\"\\u00e9x y\"}";
  }

  /** The next {@code count} data packets {@code r} receives (text replies are skipped, kept). */
  private static List<String> take(JdkSocket r, int count, List<String> texts) throws Exception {
    List<String> got = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (got.size() < count && System.nanoTime() < deadline) {
      String m = r.poll(100);
      if (m == null) {
        continue;
      }
      if (m.startsWith("bin:")) {
        got.add(m.substring(4));
      } else {
        texts.add(m);
      }
    }
    return got;
  }

  private static List<String> expected(String skill, int from, int to) {
    List<String> l = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      l.add(packet(skill, n));
    }
    return l;
  }

  private static void publish(JdkSocket p, String skill, int from, int to) {
    for (int n = from; n <= to; n++) {
      p.text(packet(skill, n));
    }
  }

  @Test
  void aPacketReachesEveryReceiverOnEveryNodeOnceInOrderByteForByte() throws Exception {
    BusServer a = node("a");
    BusServer b = node("b");
    BusServer c = node("c");
    JdkSocket onA = receiver(a, "t");
    JdkSocket onB = receiver(b, "t");
    JdkSocket onC = receiver(c, "t");
    JdkSocket pub = client(a);
    publish(pub, "t", 1, 300);
    List<String> texts = new ArrayList<>();
    assertThat(take(onB, 300, texts)).isEqualTo(expected("t", 1, 300));
    assertThat(take(onC, 300, texts)).isEqualTo(expected("t", 1, 300));
    assertThat(take(onA, 300, texts)).isEqualTo(expected("t", 1, 300));
    // no echo, no duplicate: nothing more arrives on any of them
    pub.text("{\"register\":\"t\",\"id\":\"sync\"}"); // a round trip, then look again
    assertThat(pub.next()).isEqualTo("{\"id\":\"sync\",\"ok\":true}");
    assertThat(onA.poll(200)).isNull();
    assertThat(onB.poll(0)).isNull();
    assertThat(texts).isEmpty();
    assertThat(a.cluster().stats().received.sum()).isZero(); // its own came back and were dropped
    assertThat(b.cluster().stats().received.sum()).isEqualTo(300);
    assertThat(b.cluster().stats().gapPackets.sum()).isZero();
  }

  @Test
  void aNodeSubscribesInRedisOnlyToWhatItsClientsWant() throws Exception {
    BusServer a = node("a");
    BusServer b = node("b");
    receiver(a, "only.a");
    JdkSocket onB = receiver(b, "only.b");
    await()
        .atMost(WAIT)
        .until(
            () ->
                redis.command("PUBSUB", "CHANNELS", "qmsgbus:s:*").size() == 2
                    && a.cluster().subscriptions() == 1
                    && b.cluster().subscriptions() == 1);
    assertThat(redis.command("PUBSUB", "NUMSUB", "qmsgbus:s:only.a", "qmsgbus:s:only.b", "x"))
        .containsExactly("qmsgbus:s:only.a", "1", "qmsgbus:s:only.b", "1", "x", "0");
    // a publisher on a for a skill nobody wants reaches no node
    JdkSocket pub = client(a);
    publish(pub, "nobody", 1, 10);
    onB.text("{\"deregister\":\"only.b\",\"id\":1}");
    assertThat(onB.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    await()
        .atMost(WAIT)
        .until(() -> redis.command("PUBSUB", "CHANNELS", "qmsgbus:s:*").size() == 1);
    assertThat(redis.command("PUBSUB", "CHANNELS", "qmsgbus:s:*"))
        .containsExactly("qmsgbus:s:only.a");
    assertThat(b.cluster().stats().received.sum()).isZero();
  }

  @Test
  void aRegistersOkMeansPacketsPublishedOnAnotherNodeArrive() throws Exception {
    BusServer a = node("a");
    BusServer b = node("b");
    JdkSocket pub = client(a);
    for (int i = 0; i < 20; i++) {
      String skill = "fresh." + i;
      JdkSocket r = receiver(b, skill); // returns once the ok is back
      pub.text(packet(skill, i));
      assertThat(take(r, 1, new ArrayList<>())).containsExactly(packet(skill, i));
    }
  }

  @Test
  void redisKilledAndRestartedMidStream() throws Exception {
    BusServer a = node("a");
    BusServer b = node("b");
    JdkSocket onA = receiver(a, "s");
    JdkSocket onB = receiver(b, "s", "\"notices\":true");
    JdkSocket pub = client(a);
    List<String> textsB = new ArrayList<>();
    publish(pub, "s", 1, 50);
    assertThat(take(onB, 50, textsB)).isEqualTo(expected("s", 1, 50));
    assertThat(take(onA, 50, new ArrayList<>())).isEqualTo(expected("s", 1, 50));

    redis.kill();
    await().atMost(WAIT).until(() -> !a.cluster().stats().linkUp());
    await().atMost(WAIT).until(() -> !b.cluster().stats().linkUp());
    publish(pub, "s", 51, 100); // local traffic goes on
    assertThat(take(onA, 50, new ArrayList<>())).isEqualTo(expected("s", 51, 100));
    // a register while Redis is down is answered (local delivery works) without waiting
    JdkSocket late = receiver(b, "late");

    redis.restart();
    await()
        .atMost(WAIT)
        .until(
            () ->
                a.cluster().stats().linkUp()
                    && b.cluster().stats().linkUp()
                    && b.cluster().subscriptions() == 2);
    publish(pub, "s", 101, 150);
    pub.text(packet("late", 1));
    assertThat(take(onB, 50, textsB)).isEqualTo(expected("s", 101, 150));
    assertThat(take(late, 1, new ArrayList<>())).containsExactly(packet("late", 1));
    assertThat(b.cluster().stats().gapPackets.sum()).isEqualTo(50);
    assertThat(b.cluster().stats().gaps.sum()).isEqualTo(1);
    assertThat(textsB).containsExactly("{\"gap\":50,\"skill\":\"s\",\"node\":\"a\"}");
    assertThat(a.cluster().stats().publishFailed.sum()).isGreaterThanOrEqualTo(50);
    assertThat(a.cluster().stats().outages.sum()).isEqualTo(1);
  }

  @Test
  void aKilledSubscriptionConnectionIsReplaced() throws Exception {
    BusServer a = node("a");
    BusServer b = node("b");
    JdkSocket onB = receiver(b, "k");
    JdkSocket pub = client(a);
    publish(pub, "k", 1, 10);
    assertThat(take(onB, 10, new ArrayList<>())).isEqualTo(expected("k", 1, 10));
    // both nodes subscribe (b to its skill, each to its own wake and control channels)
    assertThat(redis.command("CLIENT", "KILL", "TYPE", "pubsub")).containsExactly("2");
    await()
        .atMost(WAIT)
        .until(() -> b.cluster().stats().outages.sum() == 1 && b.cluster().stats().linkUp());
    await().atMost(WAIT).until(() -> b.cluster().subscriptions() == 1);
    publish(pub, "k", 11, 20);
    assertThat(take(onB, 10, new ArrayList<>())).isEqualTo(expected("k", 11, 20));
  }

  @Test
  void aSlowReceiverOnOneNodeDoesNotSlowReceiversOnAnother() throws Exception {
    ServerConfig small = ServerConfig.defaults().withMaxQueuePackets(100);
    BusServer a = node("a", small);
    BusServer b = node("b", small);
    BusServer c = node("c", small);
    JdkSocket slow = client(b); // ACK mode, and it never ACKs: one in flight, the queue full
    slow.text("{\"register\":\"f\",\"id\":1}");
    assertThat(slow.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    JdkSocket fastOnB = receiver(b, "f");
    JdkSocket fastOnC = receiver(c, "f");
    JdkSocket pub = client(a);
    publish(pub, "f", 1, 3000);
    assertThat(take(fastOnC, 3000, new ArrayList<>())).isEqualTo(expected("f", 1, 3000));
    assertThat(take(fastOnB, 3000, new ArrayList<>())).isEqualTo(expected("f", 1, 3000));
    await().atMost(WAIT).until(() -> b.metrics().packetsDropped.sum() >= 3000 - 101);
    assertThat(b.cluster().stats().received.sum()).isEqualTo(3000);
    assertThat(slow.poll(TimeUnit.SECONDS.toMillis(0))).isNotNull(); // the one in flight
  }

  @Test
  void wildcardRegistrationsSpanNodesAndOverlapsDeliverOnce() throws Exception {
    BusServer a = node("a");
    BusServer b = node("b");
    JdkSocket star = receiver(b, "w.*");
    JdkSocket both = client(b); // exact and wildcard on one node: each packet once
    both.text("{\"register\":[\"w.x\",\"w.>\"],\"fastpush\":true,\"id\":\"r\"}");
    assertThat(both.next()).isEqualTo("{\"id\":\"r\",\"ok\":true}");
    // w.* and w.> are one Redis pattern (qmsgbus:s:w.*; Redis's * crosses dots, b filters)
    assertThat(redis.command("PUBSUB", "NUMPAT")).containsExactly("1");
    JdkSocket pub = client(a);
    pub.text(packet("w.x", 1));
    pub.text(packet("w.x.y", 2));
    pub.text(packet("other", 3));
    pub.text(packet("w.z", 4));
    List<String> texts = new ArrayList<>();
    assertThat(take(star, 2, texts)).containsExactly(packet("w.x", 1), packet("w.z", 4));
    assertThat(take(both, 3, texts))
        .containsExactly(packet("w.x", 1), packet("w.x.y", 2), packet("w.z", 4));
    assertThat(both.poll(200)).isNull();
    assertThat(b.cluster().stats().duplicates.sum()).isPositive(); // w.x came by both routes
    // the glob stays while one registration needs it
    star.text("{\"deregister\":\"w.*\",\"id\":9}");
    assertThat(star.next()).isEqualTo("{\"id\":9,\"ok\":true}");
    await()
        .atMost(WAIT)
        .until(() -> b.cluster().subscriptions() == 2); // w.x and w.> (w.* lingered, then went)
    assertThat(redis.command("PUBSUB", "NUMPAT")).containsExactly("1");
    pub.text(packet("w.q", 5));
    assertThat(take(both, 1, texts)).containsExactly(packet("w.q", 5));
    assertThat(texts).isEmpty();
  }

  @Test
  void aRequestAcrossNodesHearsNoReceiversOnlyWhenNoNodeHasOne() throws Exception {
    BusServer a = node("a");
    BusServer b = node("b");
    JdkSocket requester = client(a);
    requester.text("{\"skill\":\"svc\",\"reply\":\"r\",\"id\":1}");
    assertThat(requester.next())
        .isEqualTo("{\"id\":1,\"ok\":false,\"error\":\"no receivers for 'svc'\"}");
    JdkSocket responder = receiver(b, "svc"); // on the other node only
    requester.text("{\"skill\":\"svc\",\"reply\":\"r\",\"id\":2}");
    assertThat(take(responder, 1, new ArrayList<>()))
        .containsExactly("{\"skill\":\"svc\",\"reply\":\"r\",\"id\":2}");
    requester.text("{\"register\":\"zz\",\"id\":\"sync\"}");
    assertThat(requester.next()).isEqualTo("{\"id\":\"sync\",\"ok\":true}"); // no error before
  }

  @Test
  void publishersOnSeveralEventLoopsShareASkillWithoutGapsOrDuplicates() throws Exception {
    BusServer a = node("a", ServerConfig.defaults().withIoThreads(2));
    BusServer b = node("b");
    JdkSocket r = receiver(b, "many");
    List<JdkSocket> pubs = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      pubs.add(client(a)); // spread over a's two event loops
    }
    for (int n = 1; n <= 200; n++) {
      for (int p = 0; p < 4; p++) {
        pubs.get(p).text("{\"skill\":\"many\",\"p\":" + p + ",\"n\":" + n + "}");
      }
    }
    List<String> got = take(r, 800, new ArrayList<>());
    assertThat(got).hasSize(800);
    int[] last = new int[4];
    for (String m : got) { // each publisher's packets in its order
      int p = Integer.parseInt(m.replaceAll("^.*\"p\":(\\d+).*$", "$1"));
      int n = Integer.parseInt(m.replaceAll("^.*\"n\":(\\d+).*$", "$1"));
      assertThat(n).as("publisher %d", p).isEqualTo(last[p] + 1);
      last[p] = n;
    }
    assertThat(b.cluster().stats().duplicates.sum()).isZero();
    assertThat(b.cluster().stats().gapPackets.sum()).isZero();
  }
}
