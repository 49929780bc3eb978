package io.qmsgbus.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.it.JdkSocket;
import io.qmsgbus.testkit.LeakGuard;
import io.qmsgbus.transport.BusServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions in the admin API over real sockets: {@code /api/sessions} lists named sessions attached
 * or detached, {@code /metrics} counts them and the store, {@code DELETE} ends one (4001).
 */
@ExtendWith(LeakGuard.class)
class AdminSessionsTest {

  @TempDir Path data;

  private BusServer bus;
  private AdminServer admin;

  @AfterEach
  void stop() {
    if (admin != null) {
      admin.close();
    }
    if (bus != null) {
      bus.close();
    }
  }

  @Test
  void sessionsAreListedCountedAndDeleted() throws Exception {
    bus = BusServer.start(ServerConfig.defaults().withPort(0).withDataDir(data.toString()));
    admin = AdminServer.start(bus, "127.0.0.1", 0);
    AdminHttp http = new AdminHttp(admin.port());
    try (JdkSocket away = JdkSocket.open(bus.port(), "/?session=away");
        JdkSocket here = JdkSocket.open(bus.port(), "/?session=here");
        JdkSocket pub = JdkSocket.open(bus.port(), "/")) {
      away.text("{\"register\":\"s\",\"id\":1}");
      assertThat(away.next()).isEqualTo("{\"id\":1,\"ok\":true}");
      here.text("{\"register\":\"t\",\"id\":1}");
      assertThat(here.next()).isEqualTo("{\"id\":1,\"ok\":true}");
      away.drop();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !bus.sessionRegistry().named("away").attached());
      pub.text("{\"skill\":\"s\",\"n\":1}").text("{\"skill\":\"s\",\"n\":2}");
      await().atMost(Duration.ofSeconds(10)).until(() -> queued(http, "away") == 2);

      Map<String, Object> doc = http.json("/api/sessions");
      assertThat(AdminHttp.num(doc.get("total"))).isEqualTo(2);
      List<Object> sessions = AdminHttp.list(doc.get("sessions"));
      Map<String, Object> first = AdminHttp.object(sessions.get(0));
      Map<String, Object> second = AdminHttp.object(sessions.get(1));
      assertThat(first.get("name")).isEqualTo("away"); // by name
      assertThat(first.get("attached")).isEqualTo(false);
      assertThat(AdminHttp.num(first.get("expiresInSeconds"))).isBetween(3500L, 3600L);
      assertThat(AdminHttp.list(first.get("skills"))).containsExactly("s");
      assertThat(second.get("name")).isEqualTo("here");
      assertThat(second.get("attached")).isEqualTo(true);
      assertThat(AdminHttp.num(second.get("expiresInSeconds"))).isEqualTo(-1);

      String metrics = http.get("/metrics").body();
      assertThat(metrics)
          .contains("qmsgbus_sessions{state=\"attached\"} 1")
          .contains("qmsgbus_sessions{state=\"detached\"} 1")
          .contains("qmsgbus_store_messages 2")
          .contains("qmsgbus_store_fsync_seconds_count");
      assertThat(metrics).doesNotContain("qmsgbus_store_fsync_seconds_count 0.0\n");

      HttpResponse<String> del = http.send("DELETE", "/api/sessions/here");
      assertThat(del.statusCode()).isEqualTo(200);
      assertThat(here.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(4001);
      assertThat(here.closeReason.get()).isEqualTo("session deleted");
      assertThat(http.send("DELETE", "/api/sessions/away").statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> AdminHttp.num(http.json("/api/sessions").get("total")) == 0);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> http.get("/metrics").body().contains("qmsgbus_store_messages 0"));
      assertThat(http.send("DELETE", "/api/sessions/away").statusCode()).isEqualTo(404);
      assertThat(http.send("DELETE", "/api/clients").statusCode()).isEqualTo(405);
      assertThat(Files.list(data).count()).isPositive();
    }
  }

  private static long queued(AdminHttp http, String name) {
    for (Object o : AdminHttp.list(http.json("/api/sessions").get("sessions"))) {
      Map<String, Object> s = AdminHttp.object(o);
      if (name.equals(s.get("name"))) {
        return AdminHttp.num(s.get("queued"));
      }
    }
    return -1;
  }
}
