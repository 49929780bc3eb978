package io.qmsgbus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import io.qmsgbus.it.ServerProcess;
import io.qmsgbus.testkit.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in processes of their own on a real Redis. In each round the node the receiver is on is
 * killed with SIGKILL while a publisher on the other node feeds it: the receiver's client (given
 * both nodes' URLs) moves to the survivor, registers again and keeps receiving, the dead node drops
 * out of the directory, and it is restarted on its port for the next round. {@code
 * -Dqmsgbus.nodeKills=N} for more rounds (default 2).
 */
class ClusterKillIT {

  private RedisServer redis;
  private final ServerProcess[] nodes = new ServerProcess[2];
  private final int[] ports = new int[2];
  private final String[] names = {"x", "y"};

  @AfterEach
  void stop() {
    for (ServerProcess p : nodes) {
      if (p != null) {
        p.stop();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** Starts node {@code i} on {@code ports[i]} (0: any, remembered). */
  private void start(int i) throws Exception {
    nodes[i] =
        ServerProcess.start(
            ClusterNodeMain.class, redis.url(), names[i], Integer.toString(ports[i]));
    ports[i] = nodes[i].port();
  }

  private URI url(int i) {
    return URI.create("ws://127.0.0.1:" + ports[i] + "/");
  }

  private static int feed(BusClient publisher, BusClient receiver, int n, int count)
      throws Exception {
    int from = n + 1;
    for (int i = 0; i < count; i++) {
      publisher.publishJson("k", "{\"n\":" + ++n + "}").get(10, TimeUnit.SECONDS);
    }
    for (int want = from; want <= n; want++) {
      Message m = receiver.take(Duration.ofSeconds(20));
      assertThat(m).as("packet %d", want).isNotNull();
      assertThat(m.text()).isEqualTo("{\"skill\":\"k\",\"payload\":{\"n\":" + want + "}}");
    }
    return n;
  }

  @Test
  void aReceiverOnAKilledNodeMovesToTheOtherAndKeepsReceiving() throws Exception {
    RedisServer.require();
    redis = RedisServer.start();
    int kills = Integer.getInteger("qmsgbus.nodeKills", 2);
    start(0);
    start(1);
    AtomicInteger reconnects = new AtomicInteger();
    try (BusClient receiver = BusClient.builder().uris(List.of(url(0), url(1))).build()) {
      receiver.onReconnect(reconnects::incrementAndGet);
      receiver.connect();
      receiver.register("k").get(10, TimeUnit.SECONDS);
      int n = 0;
      for (int round = 0; round < kills; round++) {
        int on = receiver.uri().equals(url(0)) ? 0 : 1;
        int other = 1 - on;
        try (BusClient publisher = BusClient.builder().uris(List.of(url(other))).build()) {
          publisher.connect();
          n = feed(publisher, receiver, n, 50); // across nodes: published on other, received on on
          int before = reconnects.get();
          nodes[on].kill(); // SIGKILL: no goodbye to Redis or the clients
          await().atMost(Duration.ofSeconds(30)).until(() -> reconnects.get() > before);
          assertThat(receiver.uri()).isEqualTo(url(other));
          n = feed(publisher, receiver, n, 50); // now on the same node as the publisher
          // the dead node's heartbeat key expires: it drops out of the directory
          String key = "qmsgbus:node:" + names[on];
          await()
              .atMost(Duration.ofSeconds(15))
              .until(() -> redis.command("EXISTS", key).equals(List.of("0")));
        }
        start(on); // back on its port, for the next round to kill the other
      }
      assertThat(reconnects.get()).isEqualTo(kills);
    }
  }
}
