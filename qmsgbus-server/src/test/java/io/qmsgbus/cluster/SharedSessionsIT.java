package io.qmsgbus.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.it.JdkSocket;
import io.qmsgbus.it.ServerProcess;
import io.qmsgbus.testkit.RedisServer;
import io.qmsgbus.transport.BusServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Durable sessions shared by the nodes through a real Redis: a receiver's node is killed with
 * SIGKILL mid-stream (alternating nodes, {@code -Dqmsgbus.sessionKills=N}, default 10) and it
 * resumes on the other node with everything confirmed to its publisher, in order, nothing it acked
 * again but the packet in flight; two nodes attaching one session at once; Redis restarted with
 * AOF.
 */
class SharedSessionsIT {

  private static final Pattern SEQ = Pattern.compile("\"n\":(\\d+)");

  private RedisServer redis;
  private final ServerProcess[] nodes = new ServerProcess[2];
  private final int[] ports = new int[2];
  private final List<BusServer> inProcess = new ArrayList<>();

  @AfterEach
  void stop() {
    for (ServerProcess p : nodes) {
      if (p != null) {
        p.stop();
      }
    }
    inProcess.forEach(BusServer::close);
    if (redis != null) {
      redis.close();
    }
  }

  private void start(int i) throws Exception {
    nodes[i] =
        ServerProcess.start(
            ClusterNodeMain.class, redis.url(), "n" + i, Integer.toString(ports[i]));
    ports[i] = nodes[i].port();
  }

  private void kill(int i) throws InterruptedException {
    nodes[i].kill();
  }

  @Test
  void aReceiverWhoseNodeIsKilledResumesOnAnotherWithEverythingConfirmed() throws Exception {
    RedisServer.require();
    redis = RedisServer.start();
    int kills = Integer.getInteger("qmsgbus.sessionKills", 10);
    Random random = new Random(Long.getLong("qmsgbus.seed", System.nanoTime()));
    start(0);
    start(1);
    Set<Integer> confirmed = new TreeSet<>();
    List<Integer> delivered = new ArrayList<>();
    int next = 1;
    int on = 0; // the receiver's node: killed in each round
    JdkSocket receiver = JdkSocket.open(ports[on], "/?session=ha-r");
    receiver.text("{\"register\":\"h\",\"id\":0}");
    assertThat(receiver.next()).isEqualTo("{\"id\":0,\"ok\":true}");
    for (int round = 0; round <= kills; round++) {
      int other = 1 - on;
      try (JdkSocket pub = JdkSocket.open(ports[other], "/")) {
        pub.text("{\"confirms\":true}");
        int batch = 40 + random.nextInt(40);
        int killAfter = round == kills ? Integer.MAX_VALUE : 5 + random.nextInt(batch - 10);
        int sent = 0;
        int confirms = 0;
        boolean killed = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
          if (sent < batch && sent - confirms < 8) { // a window of unconfirmed packets
            int n = next++;
            pub.text("{\"skill\":\"h\",\"id\":" + n + ",\"n\":" + n + "}");
            sent++;
          }
          String c = pub.poll(0);
          if (c != null && c.contains("\"ok\":true")) {
            confirmed.add(Integer.parseInt(c.replaceAll("^\\{\"id\":(\\d+).*$", "$1")));
            confirms++;
          } else if (c != null) {
            throw new AssertionError("publisher got " + c);
          }
          if (!killed && confirms > killAfter) {
            kill(on); // mid-stream: the receiver has some, the rest waits in Redis
            killed = true;
            receiver.drop();
            // published while the receiver's node is dead: stored for it all the same
            receiver = JdkSocket.open(ports[other], "/?session=ha-r");
          }
          String r = receiver.poll(c == null ? 5 : 0);
          if (r != null && r.startsWith("bin:")) {
            Matcher m = SEQ.matcher(r);
            assertThat(m.find()).as(r).isTrue();
            delivered.add(Integer.parseInt(m.group(1)));
            receiver.text("{\"ack\":\"\"}");
          }
          if (confirms == batch && delivered.containsAll(confirmed)) {
            break;
          }
        }
        assertThat(confirms).as("round %d: every packet confirmed", round).isEqualTo(batch);
        if (killed) {
          start(on); // back on its port; the receiver now lives on the other node
          on = other;
        }
      }
    }
    receiver.close();
    assertThat(new TreeSet<>(delivered)).containsAll(confirmed);
    int repeats = 0;
    for (int i = 1; i < delivered.size(); i++) {
      int prev = delivered.get(i - 1);
      int cur = delivered.get(i);
      if (cur == prev) {
        repeats++;
      } else {
        assertThat(cur).as("in order at %d: %s", i, delivered).isGreaterThan(prev);
      }
    }
    assertThat(repeats).as("repeats of the packet in flight").isLessThanOrEqualTo(kills);
  }

  @Test
  void aSessionAttachedOnTwoNodesKeepsOnlyTheNewerConnection() throws Exception {
    RedisServer.require();
    redis = RedisServer.start();
    BusServer a = node("a");
    BusServer b = node("b");
    try (JdkSocket first = JdkSocket.open(a.port(), "/?session=twice");
        JdkSocket pub = JdkSocket.open(a.port(), "/")) {
      first.text("{\"register\":\"tw\",\"id\":1}");
      assertThat(first.next()).isEqualTo("{\"id\":1,\"ok\":true}"); // attached on a
      JdkSocket second = JdkSocket.open(b.port(), "/?session=twice");
      // the second attach (on b) is the newer: the first connection is closed as taken over
      assertThat(first.closeCode.get(20, TimeUnit.SECONDS)).isEqualTo(4000);
      assertThat(first.closeReason.get(1, TimeUnit.SECONDS)).isEqualTo("session taken over");
      // the session, with its registration made on a, is now b's: packets arrive there
      pub.text("{\"confirms\":true}");
      pub.text("{\"skill\":\"tw\",\"id\":5,\"v\":5}");
      assertThat(pub.next()).isEqualTo("{\"id\":5,\"ok\":true}");
      String got;
      do {
        got = second.next();
      } while (got.startsWith("{")); // replies
      assertThat(got).isEqualTo("bin:{\"skill\":\"tw\",\"id\":5,\"v\":5}");
      second.close();
    }
  }

  private BusServer node(String name) {
    BusServer n =
        BusServer.start(ServerConfig.defaults().withPort(0).withCluster(redis.url(), name));
    inProcess.add(n);
    return n;
  }

  @Test
  void confirmedPacketsSurviveARedisRestartWithAppendOnlyFsyncAlways() throws Exception {
    RedisServer.require();
    redis = RedisServer.start(List.of("--appendonly", "yes", "--appendfsync", "always"));
    BusServer a = node("a");
    BusServer b = node("b");
    try (JdkSocket r = JdkSocket.open(b.port(), "/?session=aof-r")) {
      r.text("{\"register\":\"aof\",\"id\":1}");
      assertThat(r.next()).isEqualTo("{\"id\":1,\"ok\":true}");
      r.drop(); // away: what comes is kept for it in Redis only
    }
    try (JdkSocket pub = JdkSocket.open(a.port(), "/")) {
      pub.text("{\"confirms\":true}");
      for (int n = 1; n <= 20; n++) {
        pub.text("{\"skill\":\"aof\",\"id\":" + n + ",\"n\":" + n + "}");
        assertThat(pub.next()).isEqualTo("{\"id\":" + n + ",\"ok\":true}");
      }
    }
    redis.kill(); // SIGKILL: only what the append-only file has survives
    redis.restart();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .until(() -> b.cluster().stats().linkUp());
    try (JdkSocket r = JdkSocket.open(b.port(), "/?session=aof-r")) {
      r.text("{\"fastpush\":true}");
      for (int n = 1; n <= 20; n++) {
        String got;
        do {
          got = r.next();
        } while (got.startsWith("{"));
        assertThat(got).isEqualTo("bin:{\"skill\":\"aof\",\"id\":" + n + ",\"n\":" + n + "}");
      }
    }
  }

  @Test
  void aDurableWildcardRegistrationIsStoredForWhileAway() throws Exception {
    RedisServer.require();
    redis = RedisServer.start();
    BusServer a = node("a");
    BusServer b = node("b");
    try (JdkSocket r = JdkSocket.open(b.port(), "/?session=wild")) {
      r.text("{\"register\":[\"wd.*\",\"wd.x\"],\"fastpush\":true,\"id\":1}");
      assertThat(r.next()).isEqualTo("{\"id\":1,\"ok\":true}");
      r.drop();
    }
    try (JdkSocket pub = JdkSocket.open(a.port(), "/")) {
      pub.text("{\"confirms\":true}");
      String[] skills = {"wd.x", "wd.y", "wd.y.z", "nope"};
      for (int n = 0; n < skills.length; n++) {
        pub.text("{\"skill\":\"" + skills[n] + "\",\"id\":" + n + "}");
        assertThat(pub.next()).isEqualTo("{\"id\":" + n + ",\"ok\":true}");
      }
    }
    try (JdkSocket r = JdkSocket.open(a.port(), "/?session=wild")) { // on the other node
      assertThat(r.next()).isEqualTo("bin:{\"skill\":\"wd.x\",\"id\":0}"); // once
      assertThat(r.next()).isEqualTo("bin:{\"skill\":\"wd.y\",\"id\":1}");
      assertThat(r.poll(300)).isNull();
    }
  }
}
