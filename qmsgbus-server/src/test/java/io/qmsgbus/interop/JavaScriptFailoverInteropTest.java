package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript client given several urls ({@code new QMsgBusClient([url1, url2])}) under Node:
 * connect() skips a dead server, and after a lost connection connect() again moves on to the next
 * server, where clients/js/examples/failover.js registers again.
 */
class JavaScriptFailoverInteropTest extends InteropTestBase {

  @Override
  void requireTools() {
    InteropEnvironment.requireNode();
  }

  private static String url(int port) {
    return "ws://127.0.0.1:" + port + "/";
  }

  private ScriptProcess receiver(String name, int... ports) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("--skill", "fo", "--count", "1", "--timeout", SCRIPT_TIMEOUT));
    for (int p : ports) {
      args.add("--url");
      args.add(url(p));
    }
    return node(name, "examples/failover.js", args.toArray(String[]::new));
  }

  @Test
  void whenTheFirstServerStopsTheClientMovesToTheSecond() {
    BusServer server2 = track(BusServer.start(ServerConfig.defaults().withPort(0)));
    ScriptProcess receiver = receiver("js-failover", port, server2.port());
    assertThat(receiver.awaitValue("READY", WAIT)).isEqualTo(url(port));
    assertThat(server.registrations()).isEqualTo(1);

    server.close();
    List<String> ready = receiver.awaitValues("READY", 2, WAIT);
    assertThat(ready.get(1)).isEqualTo(url(server2.port()));
    assertThat(receiver.values("CLOSED")).hasSize(1);
    assertThat(server2.registrations()).isEqualTo(1);

    String packet = "{\"skill\":\"fo\",\"payload\":\"on-two\"}";
    try (JdkBusClient sender = JdkBusClient.connect(server2.port())) {
      sender.sendBinary(packet.getBytes(StandardCharsets.UTF_8));
      assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    }
    assertThat(receiver.values("RECEIVED")).containsExactly(packet);
    assertThat(receiver.values("DONE")).containsExactly("received=1");
  }

  @Test
  void aDeadFirstServerIsSkipped() throws IOException {
    ScriptProcess receiver = receiver("js-dead-first", deadPort(), port);
    assertThat(receiver.awaitValue("READY", WAIT)).isEqualTo(url(port));
    assertThat(receiver.values("RETRY")).as(receiver.describe()).isEmpty();

    String packet = "{\"skill\":\"fo\",\"payload\":1}";
    try (JdkBusClient sender = jdk()) {
      sender.sendBinary(packet.getBytes(StandardCharsets.UTF_8));
      assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    }
    assertThat(receiver.values("RECEIVED")).containsExactly(packet);
  }

  /** A loopback port nobody listens on (it was free a moment ago). */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
