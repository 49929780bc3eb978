package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.admin.AdminServer;
import io.qmsgbus.client.BusClient;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code qmsgbus sessions} against a real server and admin listener. */
class SessionsCommandTest {

  private BusServer bus;
  private AdminServer admin;
  private BusClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (bus != null) {
      bus.close();
    }
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
  void listsAndDeletesSessions() throws Exception {
    bus = BusServer.start(ServerConfig.defaults().withPort(0));
    admin = AdminServer.start(bus, "127.0.0.1", 0);
    client = BusClient.builder().uri(bus.url()).session("logger-1").build();
    client.connect();
    client.register("temps").get(10, TimeUnit.SECONDS);

    Run list = run("sessions", "--admin-url", admin.url());
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out())
        .containsPattern("(?m)^NAME +OWNER +STATE +SKILLS +QUEUED +EXPIRES IN$")
        .containsPattern("(?m)^logger-1 +- +attached +temps +0 +-$")
        .contains("1 session(s)");

    var before = bus.sessionRegistry().named("logger-1");
    Run del = run("sessions", "--admin-url", admin.url(), "--delete", "logger-1");
    assertThat(del.code()).as(del.err()).isZero();
    assertThat(del.out()).isEqualTo("deleted session logger-1" + System.lineSeparator());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> bus.sessionRegistry().named("logger-1") != before); // the client may start
    // a fresh one when it reconnects

    Run missing = run("sessions", "--admin-url", admin.url(), "--delete", "nobody");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("nobody: no session nobody");
  }

  @Test
  void saysWhenTheAdminListenerIsNotThere() {
    Run r = run("sessions", "--admin-url", "http://127.0.0.1:1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("connection refused (is the server running");
  }
}
