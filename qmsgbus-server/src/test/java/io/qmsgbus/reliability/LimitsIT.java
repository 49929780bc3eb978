package io.qmsgbus.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.OverflowPolicy;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.transport.BusServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every configurable limit, enforced over a real socket, and the server unharmed after. */
class LimitsIT {

  private BusServer server;
  private final List<RawWebSocket> probes = new ArrayList<>();

  private void start(ServerConfig config) {
    server = BusServer.start(config.withPort(0));
  }

  private RawWebSocket client() {
    RawWebSocket p = RawWebSocket.open(server.port());
    probes.add(p);
    return p;
  }

  @AfterEach
  void stop() {
    probes.forEach(RawWebSocket::close);
    if (server != null) {
      server.close();
    }
  }

  private static String packet(String skill, int n) {
    return "{\"skill\":\"" + skill + "\",\"n\":" + n + "}";
  }

  /** Publishes n packets and waits until the server has read them all. */
  private void publish(RawWebSocket tx, String skill, int from, int to) {
    long before = server.metrics().packetsIn.sum();
    for (int i = from; i <= to; i++) {
      tx.sendBinary(packet(skill, i));
    }
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> server.metrics().packetsIn.sum() >= before + (to - from + 1));
  }

  @Test
  void dropOldestKeepsTheNewestPacketsAndCountsTheDrops() {
    start(ServerConfig.defaults().withMaxQueuePackets(3));
    RawWebSocket rx = client();
    rx.control("{\"register\":\"s\",\"id\":1}");
    publish(client(), "s", 1, 10); // 1 in flight, 2..10 through a queue of 3
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      got.add(rx.nextBinary());
      rx.sendText("{\"ack\":\"\"}");
    }
    assertThat(got)
        .containsExactly(packet("s", 1), packet("s", 8), packet("s", 9), packet("s", 10));
    assertThat(server.metrics().packetsDropped.sum()).isEqualTo(6);
    assertThat(server.metrics().skill("s").dropped.sum()).isEqualTo(6);
  }

  @Test
  void aReceiverThatAskedForNoticesLearnsOfDropsPerSkillAndOthersGetNoText() {
    start(ServerConfig.defaults().withMaxQueuePackets(2));
    RawWebSocket told = client();
    assertThat(told.control("{\"register\":[\"s\",\"t\"],\"notices\":true,\"id\":1}"))
        .contains("\"ok\":true");
    RawWebSocket quiet = client();
    quiet.control("{\"register\":\"s\",\"id\":1}");
    RawWebSocket tx = client();
    publish(tx, "s", 1, 6); // 1 in flight, 2 queued, 3 dropped
    // drops are reported once per burst, so the 3 may come as one notice or several
    List<String> notices = new ArrayList<>();
    long reported = 0;
    for (int i = 0; i < 3 && reported < 3; i++) {
      String notice = told.nextText();
      notices.add(notice);
      assertThat(notice).matches("\\{\"dropped\":[123],\"skill\":\"s\"\\}");
      reported += Long.parseLong(notice.replaceAll("\\D", ""));
    }
    assertThat(reported).as(notices.toString()).isEqualTo(3);
    assertThat(quiet.pendingTexts()).as("no notices unless asked for").isEmpty();
    assertThat(server.metrics().skill("s").dropped.sum()).isEqualTo(6);
  }

  @Test
  void dropNewestKeepsTheFirstPackets() {
    start(
        ServerConfig.defaults()
            .withMaxQueuePackets(3)
            .withOverflowPolicy(OverflowPolicy.DROP_NEWEST));
    RawWebSocket rx = client();
    rx.control("{\"register\":\"s\",\"id\":1}");
    publish(client(), "s", 1, 10);
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      got.add(rx.nextBinary());
      rx.sendText("{\"ack\":\"\"}");
    }
    assertThat(got).containsExactly(packet("s", 1), packet("s", 2), packet("s", 3), packet("s", 4));
    assertThat(rx.pollBinary(Duration.ofMillis(200))).isNull();
  }

  @Test
  void disconnectPolicyClosesTheSlowConsumerWith1008AndSparesTheOthers() throws Exception {
    start(
        ServerConfig.defaults()
            .withMaxQueuePackets(3)
            .withOverflowPolicy(OverflowPolicy.DISCONNECT));
    RawWebSocket slow = client();
    slow.control("{\"register\":\"s\",\"id\":1}");
    RawWebSocket fast = client();
    fast.control("{\"register\":\"s\",\"fastpush\":true,\"id\":1}");
    RawWebSocket tx = client();
    for (int i = 1; i <= 10; i++) {
      tx.sendBinary(packet("s", i));
    }
    assertThat(slow.closed().get(10, TimeUnit.SECONDS).code()).isEqualTo(1008);
    for (int i = 1; i <= 10; i++) {
      assertThat(fast.nextBinary()).isEqualTo(packet("s", i));
    }
  }

  @Test
  void queueByteBoundApplies() {
    start(ServerConfig.defaults().withMaxQueueBytes(100));
    RawWebSocket rx = client();
    rx.control("{\"register\":\"s\",\"id\":1}");
    publish(client(), "s", 1, 50);
    await().atMost(5, TimeUnit.SECONDS).until(() -> server.metrics().packetsDropped.sum() > 0);
    long queued =
        server.sessions().values().stream().mapToLong(s -> s.snapshot().join().queuedBytes()).sum();
    assertThat(queued).isLessThanOrEqualTo(100);
  }

  @Test
  void globalBudgetPausesThePublisherInsteadOfDroppingAndResumesWhenDrained() throws Exception {
    start(ServerConfig.defaults().withMaxTotalQueuedBytes(2_000));
    RawWebSocket rx = client();
    rx.control("{\"register\":\"s\",\"id\":1}");
    int total = 2_000;
    String pad = "x".repeat(100);
    try (RawWebSocket tx = RawWebSocket.connect(server.port()).autoReply(false)) {
      tx.upgrade();
      // the writes block once the server stops reading: that is the backpressure
      CompletableFuture<Void> publishing =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 1; i <= total; i++) {
                  tx.frame(
                      0x82,
                      ("{\"skill\":\"s\",\"n\":" + i + ",\"p\":\"" + pad + "\"}")
                          .getBytes(StandardCharsets.UTF_8));
                }
              });
      await().atMost(10, TimeUnit.SECONDS).until(() -> server.budget().pausedPublishers() == 1);
      // what was already read when the budget ran out is still queued: at most one socket read
      assertThat(server.budget().used()).isLessThanOrEqualTo(2_000 + 65_536 + 200);
      assertThat(server.metrics().packetsIn.sum()).isLessThan(total);
      rx.control("{\"fastpush\":true,\"id\":2}"); // drain at full speed
      for (int i = 1; i <= total; i++) {
        assertThat(rx.nextBinary()).startsWith("{\"skill\":\"s\",\"n\":" + i + ",");
      }
      publishing.get(30, TimeUnit.SECONDS);
    }
    assertThat(server.metrics().packetsDropped.sum()).isZero();
    await().atMost(5, TimeUnit.SECONDS).until(() -> server.budget().used() == 0);
  }

  @Test
  void rateLimitRefusesTheExcessWithOneErrorASecond() {
    start(ServerConfig.defaults().withMaxPacketsPerSecond(20));
    RawWebSocket rx = client();
    rx.control("{\"register\":\"s\",\"fastpush\":true,\"id\":1}");
    RawWebSocket tx = client();
    publish(tx, "s", 1, 200);
    assertThat(tx.nextText()).contains("rate limit").contains("20 packets per second");
    assertThat(server.metrics().rateLimited.sum()).isGreaterThan(100);
    long forwarded = server.metrics().packetsDelivered.sum();
    assertThat(forwarded).isBetween(20L, 100L);
    assertThat(tx.pendingTexts())
        .as("one error a second, not one per packet")
        .hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void maxConnectionsRefusesTheExtraOne() {
    start(ServerConfig.defaults().withMaxConnections(2));
    client();
    client();
    assertThatThrownBy(this::client).isInstanceOf(Exception.class);
    await().atMost(5, TimeUnit.SECONDS).until(() -> server.metrics().connectionsRefused.sum() >= 1);
    probes.get(0).close();
    await().atMost(5, TimeUnit.SECONDS).until(() -> server.metrics().connections.get() == 1);
    assertThat(client().control("{\"ack\":\"\",\"id\":1}")).contains("\"ok\":true");
  }

  @Test
  void maxConnectionsPerAddressRefusesTheExtraOne() {
    start(ServerConfig.defaults().withMaxConnectionsPerAddress(1));
    client();
    assertThatThrownBy(this::client).isInstanceOf(Exception.class);
    assertThat(server.metrics().connectionsRefused.sum()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void maxRegistrationsRejectsTheWholePacket() {
    start(ServerConfig.defaults().withMaxRegistrations(2));
    RawWebSocket c = client();
    assertThat(c.control("{\"register\":[\"a\",\"b\"],\"id\":1}")).contains("\"ok\":true");
    assertThat(c.control("{\"register\":[\"a\",\"c\"],\"fastpush\":true,\"id\":2}"))
        .contains("too many registrations");
    assertThat(server.router().receiverCounts()).containsOnlyKeys("a", "b");
    assertThat(c.control("{\"register\":\"a\",\"id\":3}"))
        .as("re-registering costs nothing")
        .contains("\"ok\":true");
  }

  @Test
  void idleClientIsPingedAndASilentOneClosed() throws Exception {
    start(ServerConfig.defaults().withIdleTimeoutSeconds(1));
    RawWebSocket alive = client(); // answers pings (auto-reply)
    try (RawWebSocket silent = RawWebSocket.connect(server.port()).autoReply(false)) {
      silent.upgrade();
      long t0 = System.nanoTime();
      silent.awaitClose();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }
    assertThat(alive.closed()).isNotDone();
    assertThat(alive.control("{\"ack\":\"\",\"id\":1}")).contains("\"ok\":true");
  }

  @Test
  void slowlorisPartialUpgradeIsCutOff() throws Exception {
    start(ServerConfig.defaults().withIdleTimeoutSeconds(1));
    try (RawWebSocket s = RawWebSocket.connect(server.port()).autoReply(false)) {
      s.sendRaw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgr");
      assertThat(s.closedByServer()).isTrue();
    }
    await().atMost(5, TimeUnit.SECONDS).until(() -> server.metrics().connections.get() == 0);
  }

  @Test
  void reservedBitsAndUnknownOpcodesCloseWithProtocolErrorAndOthersCarryOn() throws Exception {
    start(ServerConfig.defaults());
    RawWebSocket rx = client();
    rx.control("{\"register\":\"s\",\"fastpush\":true,\"id\":1}");
    try (RawWebSocket bad = RawWebSocket.connect(server.port()).autoReply(false)) {
      bad.upgrade();
      bad.frame(0x80 | 0x40 | 0x2, packet("s", 1).getBytes(StandardCharsets.UTF_8)); // RSV1 set
      assertThat(bad.awaitClose()).isEqualTo(1002);
    }
    try (RawWebSocket bad = RawWebSocket.connect(server.port()).autoReply(false)) {
      bad.upgrade();
      bad.frame(0x80 | 0x3, new byte[] {1, 2, 3}); // reserved opcode 3
      assertThat(bad.awaitClose()).isEqualTo(1002);
    }
    try (RawWebSocket bad = RawWebSocket.connect(server.port()).autoReply(false)) {
      bad.upgrade();
      bad.frame(0x80 | 0x1, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}); // invalid UTF-8 text
      assertThat(bad.awaitClose()).isEqualTo(1007);
    }
    try (RawWebSocket ok = RawWebSocket.connect(server.port()).autoReply(false)) {
      ok.upgrade();
      ok.frame(0x00 | 0x2, "{\"skill\":".getBytes(StandardCharsets.UTF_8)); // fragmented
      ok.frame(0x80 | 0x0, "\"s\",\"raw\":1}".getBytes(StandardCharsets.UTF_8));
      assertThat(rx.nextBinary()).isEqualTo("{\"skill\":\"s\",\"raw\":1}");
    }
    client().sendBinary(packet("s", 2));
    assertThat(rx.nextBinary()).isEqualTo(packet("s", 2));
  }

  @Test
  void shutdownTellsClientsGoingAway() throws Exception {
    start(ServerConfig.defaults());
    RawWebSocket c = client();
    c.control("{\"register\":\"s\",\"id\":1}");
    server.close();
    assertThat(c.closed().get(10, TimeUnit.SECONDS).code()).isEqualTo(1001);
  }
}
