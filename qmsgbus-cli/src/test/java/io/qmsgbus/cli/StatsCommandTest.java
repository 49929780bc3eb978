package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.admin.AdminServer;
import io.qmsgbus.admin.JsonTree;
import io.qmsgbus.client.BusClient;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.FreePorts;
import io.qmsgbus.transport.BusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code qmsgbus stats} against a real bus and admin listener. */
class StatsCommandTest {

  private BusServer bus;
  private AdminServer admin;
  private BusClient receiver;
  private BusClient publisher;

  @BeforeEach
  void start() throws Exception {
    bus = BusServer.start(ServerConfig.defaults().withPort(0));
    admin = AdminServer.start(bus, "127.0.0.1", 0);
    receiver = BusClient.builder().uri(bus.url()).build();
    receiver.connect();
    receiver.fastpush(true).get(10, TimeUnit.SECONDS);
    receiver.register("temps").get(10, TimeUnit.SECONDS);
    publisher = BusClient.builder().uri(bus.url()).build();
    publisher.connect();
    publisher.publishJson("temps", "{\"c\":21}").get(10, TimeUnit.SECONDS);
    assertThat(receiver.take(Duration.ofSeconds(10))).isNotNull();
  }

  @AfterEach
  void stop() {
    publisher.close();
    receiver.close();
    admin.close();
    bus.close();
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new Main())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void printsTheOverviewSkillsAndClients() {
    Run r = run("stats", "--admin-url", admin.url());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("QMsgBus " + bus.url())
        .contains("ready")
        .containsPattern("connections +2 ")
        .containsPattern("(?m)^SKILL +RECEIVERS +IN/S +OUT/S +IN +OUT +DROPPED +UNROUTED$")
        .containsPattern("(?m)^temps +1 +\\S+ +\\S+ +1 +1 +0 +0$")
        .containsPattern("(?m)^CLIENT +ADDRESS +SKILLS +FLAGS +QUEUE")
        .containsPattern("(?m)^#1 +127\\.0\\.0\\.1:\\d+ +temps +fastpush +0 ")
        .containsPattern("(?m)^#2 +127\\.0\\.0\\.1:\\d+ +- +- +0 ");
  }

  @Test
  void limitsTheClientList() {
    Run r = run("stats", "--admin-url", admin.url() + "", "--clients", "1");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("(1 of 2 clients; --clients N for more)");
    assertThat(run("stats", "--admin-url", admin.url(), "--clients", "0").out())
        .doesNotContain("CLIENT");
  }

  @Test
  void jsonPrintsTheThreeDocuments() throws Exception {
    Run r = run("stats", "--admin-url", admin.url().replaceAll("/$", ""), "--json");
    assertThat(r.code()).isZero();
    Object doc = JsonTree.parse(r.out());
    assertThat(doc).isInstanceOf(Map.class);
    assertThat(((Map<?, ?>) doc).keySet()).asString().isEqualTo("[stats, skills, clients]");
  }

  @Test
  void anUnreachableAdminIsExitCode1WithAMessage() throws Exception {
    int port = FreePorts.free(); // nothing listens there
    Run r = run("stats", "--admin-url", "http://127.0.0.1:" + port);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("qmsgbus stats: cannot read http://127.0.0.1:" + port + "/api/stats");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void watchRefreshesUntilInterrupted() throws Exception {
    StringWriter out = new StringWriter();
    PrintWriter pw = new PrintWriter(out, true);
    Thread t =
        new Thread(
            () ->
                new CommandLine(new Main())
                    .setOut(pw)
                    .setErr(pw)
                    .execute("stats", "--admin-url", admin.url(), "--watch", "--interval", "0.2"));
    t.start();
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> out.toString().split("\033\\[H\033\\[2J", -1).length > 3);
    } finally {
      t.interrupt();
      t.join(10_000);
    }
    assertThat(t.isAlive()).isFalse();
    assertThat(out.toString()).contains("temps");
  }

  @Test
  void badOptionsAreRefused() {
    assertThat(run("stats", "--interval", "0").code()).isEqualTo(2);
    assertThat(run("stats", "--clients", "-1").code()).isEqualTo(2);
  }
}
