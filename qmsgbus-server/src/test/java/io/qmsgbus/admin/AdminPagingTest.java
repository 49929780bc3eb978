package io.qmsgbus.admin;

import static io.qmsgbus.admin.AdminHttp.list;
import static io.qmsgbus.admin.AdminHttp.num;
import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The admin API pages its lists, and /metrics caps its per-skill series. */
@Timeout(60)
class AdminPagingTest {

  @Test
  void listsArePagedAndMetricsSumTheSkillsPastTheCap() throws Exception {
    List<BusClient> clients = new ArrayList<>();
    try (BusServer bus =
            BusServer.start(ServerConfig.defaults().withPort(0).with("metricsMaxSkills", "2"));
        AdminServer admin = AdminServer.start(bus, "127.0.0.1", 0)) {
      for (String skill : new String[] {"s.a", "s.b", "s.c"}) {
        BusClient c = BusClient.builder().uri("ws://127.0.0.1:" + bus.port() + "/").build();
        clients.add(c);
        c.connect();
        c.register(skill).get(10, TimeUnit.SECONDS);
      }
      AdminHttp http = new AdminHttp(admin.port());

      Map<String, Object> page = http.json("/api/clients?limit=2&offset=1");
      assertThat(num(page.get("total"))).isEqualTo(3);
      assertThat(num(page.get("offset"))).isEqualTo(1);
      assertThat(list(page.get("clients"))).hasSize(2);
      assertThat(num(http.json("/api/clients?limit=99999").get("limit"))).isEqualTo(1000);
      assertThat(num(http.json("/api/clients").get("limit"))).isEqualTo(100);

      Map<String, Object> skills = http.json("/api/skills?limit=2");
      assertThat(num(skills.get("total"))).isEqualTo(3);
      assertThat(list(skills.get("skills"))).hasSize(2);
      assertThat(list(http.json("/api/skills?offset=2").get("skills"))).hasSize(1);

      String metrics = http.get("/metrics").body();
      assertThat(metrics)
          .contains("qmsgbus_registrations{skill=\"s.a\"} 1")
          .contains("qmsgbus_registrations{skill=\"s.b\"} 1")
          .contains("qmsgbus_registrations{skill=\"_other\"} 1")
          .doesNotContain("skill=\"s.c\"");
    } finally {
      for (BusClient c : clients) {
        c.close();
      }
    }
  }
}
