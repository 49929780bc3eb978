package io.qmsgbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 the real server process at random moments while a publisher with confirms feeds a durable
 * receiver in ACK mode, restarting it on the same data dir: every confirmed packet is delivered, in
 * order, and at most the one packet in flight is repeated per crash. {@code -Dqmsgbus.crashes=N}
 * for a longer run (default 20).
 */
class CrashIT {

  private static final Pattern SEQ = Pattern.compile("\"n\":(\\d+)");

  @TempDir Path dir;

  private ServerProcess server;
  private int port;

  private void startServer() throws Exception {
    server = ServerProcess.start(DurableServerMain.class, dir.toString(), "always");
    port = server.port();
  }

  private void kill() throws InterruptedException {
    server.kill(); // SIGKILL: no shutdown hook, no flush
  }

  @Test
  void confirmedPacketsSurviveKillNine() throws Exception {
    int crashes = Integer.getInteger("qmsgbus.crashes", 20);
    Random random = new Random(Long.getLong("qmsgbus.seed", System.nanoTime()));
    Set<Integer> confirmed = new TreeSet<>();
    List<Integer> delivered = Collections.synchronizedList(new ArrayList<>());
    int next = 1;
    for (int round = 0; round <= crashes; round++) {
      startServer();
      try (JdkSocket receiver = JdkSocket.open(port, "/?session=crash-r");
          JdkSocket pub = JdkSocket.open(port, "/")) {
        if (round == 0) { // later rounds: the session kept it
          receiver.text("{\"register\":\"c\",\"id\":0}");
          assertThat(receiver.next()).isEqualTo("{\"id\":0,\"ok\":true}");
        }
        pub.text("{\"confirms\":true}");
        int batch = 20 + random.nextInt(60);
        int killAfter = round == crashes ? Integer.MAX_VALUE : random.nextInt(batch);
        for (int i = 0; i < batch; i++) {
          int n = next++;
          pub.text("{\"skill\":\"c\",\"id\":" + n + ",\"n\":" + n + "}");
        }
        int confirms = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean killed = false;
        while (System.nanoTime() < deadline) {
          String r = receiver.poll(0);
          if (r != null) {
            Matcher m = SEQ.matcher(r);
            if (r.startsWith("bin:") && m.find()) {
              delivered.add(Integer.parseInt(m.group(1)));
              receiver.text("{\"ack\":\"\"}");
            }
          }
          String c = pub.poll(r == null ? 5 : 0);
          if (c != null && c.contains("\"ok\":true")) {
            confirmed.add(Integer.parseInt(c.replaceAll("^\\{\"id\":(\\d+).*$", "$1")));
            if (++confirms > killAfter) {
              kill();
              killed = true;
              break;
            }
          }
          if (round == crashes && delivered.containsAll(confirmed) && confirms == batch) {
            break;
          }
        }
        if (!killed && round < crashes) {
          kill();
        }
      }
    }
    server.stop();
    assertThat(confirmed).as("the publisher got confirms").hasSizeGreaterThan(crashes);
    // every confirmed packet arrived
    assertThat(new TreeSet<>(delivered)).containsAll(confirmed);
    // in order: repeats only of the packet just before, at most one per crash
    int repeats = 0;
    for (int i = 1; i < delivered.size(); i++) {
      int prev = delivered.get(i - 1);
      int cur = delivered.get(i);
      if (cur == prev) {
        repeats++;
      } else {
        assertThat(cur).as("delivery order at %d: %s", i, delivered).isGreaterThan(prev);
      }
    }
    assertThat(repeats).isLessThanOrEqualTo(crashes);
  }
}
