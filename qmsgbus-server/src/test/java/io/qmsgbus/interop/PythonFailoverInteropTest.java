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
 * The seed-API Python client given several servers ({@code servers=[...]}): when its connection
 * ends or cannot be opened, {@code failover()} and {@code run_forever()} again take it to the next
 * one, where it registers again, driven through clients/python/tests/driver.py --failover.
 */
class PythonFailoverInteropTest extends InteropTestBase {

  @Override
  void requireTools() {
    InteropEnvironment.requirePython();
  }

  private static String url(int port) {
    return "ws://127.0.0.1:" + port + "/";
  }

  private ScriptProcess failoverDriver(String name, int... ports) {
    List<String> args = new java.util.ArrayList<>(List.of("--timeout", "90", "--failover"));
    for (int p : ports) {
      args.add("--server");
      args.add("127.0.0.1:" + p);
    }
    ScriptProcess driver = python(name, "tests/driver.py", args.toArray(String[]::new));
    driver.awaitValue("CONNECTED", WAIT);
    return driver;
  }

  @Test
  void whenTheFirstServerStopsTheClientMovesToTheSecond() {
    BusServer server2 = track(BusServer.start(ServerConfig.defaults().withPort(0)));
    ScriptProcess driver = failoverDriver("py-failover", port, server2.port());
    assertThat(driver.awaitValues("OPEN", 1, WAIT)).containsExactly(url(port));
    driver.send("text {\"register\": \"fo\"}");
    sync(driver, "s1");
    assertThat(server.registrations()).isEqualTo(1);

    server.close();
    List<String> opened = driver.awaitValues("OPEN", 2, WAIT);
    assertThat(opened.get(1)).isEqualTo(url(server2.port()));
    assertThat(driver.values("FAILOVER")).first().isEqualTo(url(server2.port()));

    // registering again is the caller's part, as after any reconnect of a seed client
    driver.send("text {\"register\": \"fo\"}");
    sync(driver, "s2");
    assertThat(server2.registrations()).isEqualTo(1);

    try (JdkBusClient sender = JdkBusClient.connect(server2.port())) {
      String packet = "{\"skill\":\"fo\",\"payload\":\"on-two\"}";
      sender.sendBinary(packet.getBytes(StandardCharsets.UTF_8));
      driver.awaitValues("DATA", 1, WAIT);
      assertThat(dataTexts(driver)).containsExactly(packet);
    }
    driver.send("quit");
    assertThat(driver.awaitExit(WAIT)).as(driver.describe()).isZero();
  }

  @Test
  void aDeadFirstServerIsSkipped() throws IOException {
    int dead = deadPort();
    ScriptProcess driver = failoverDriver("py-dead-first", dead, port);
    assertThat(driver.awaitValues("OPEN", 1, WAIT))
        .as(driver.describe())
        .containsExactly(url(port));
    assertThat(driver.values("FAILOVER")).first().isEqualTo(url(port));
    driver.send("text {\"register\": \"alive\"}");
    sync(driver, "s1");
    assertThat(server.registrations()).isEqualTo(1);

    try (JdkBusClient sender = jdk()) {
      String packet = "{\"skill\":\"alive\",\"payload\":1}";
      sender.sendBinary(packet.getBytes(StandardCharsets.UTF_8));
      driver.awaitValues("DATA", 1, WAIT);
      assertThat(dataTexts(driver)).containsExactly(packet);
    }
    driver.send("quit");
    assertThat(driver.awaitExit(WAIT)).as(driver.describe()).isZero();
  }

  @Test
  void theExampleReceiverRegistersAgainOnTheNextServer() {
    BusServer server2 = track(BusServer.start(ServerConfig.defaults().withPort(0)));
    ScriptProcess receiver =
        python(
            "py-failover-example",
            "examples/failover_receiver.py",
            "--server",
            "127.0.0.1:" + port,
            "--server",
            "127.0.0.1:" + server2.port(),
            "--skill",
            "fo",
            "--count",
            "1",
            "--timeout",
            SCRIPT_TIMEOUT);
    assertThat(receiver.awaitValue("READY", WAIT)).isEqualTo(url(port));

    server.close();
    List<String> ready = receiver.awaitValues("READY", 2, WAIT);
    assertThat(ready.get(1)).isEqualTo(url(server2.port()));
    assertThat(server2.registrations()).isEqualTo(1);

    try (JdkBusClient sender = JdkBusClient.connect(server2.port())) {
      sender.sendBinary(
          "{\"skill\":\"fo\",\"payload\":\"on-two\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    }
    assertThat(receiver.values("RECEIVED")).containsExactly(pyPacket("fo", "on-two"));
    assertThat(receiver.values("DONE")).containsExactly("received=1");
  }

  /** A loopback port nobody listens on (it was free a moment ago). */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
