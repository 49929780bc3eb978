package io.qmsgbus.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.it.JdkSocket;
import io.qmsgbus.testkit.RedisServer;
import io.qmsgbus.transport.BusServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin endpoints of two nodes on a real Redis: {@code /api/cluster} lists both, {@code
 * /metrics} shows the link, and {@code /readyz} turns 503 while Redis is down and back after.
 */
class AdminClusterIT {

  private RedisServer redis;
  private BusServer a;
  private BusServer b;
  private AdminServer adminA;

  @AfterEach
  void stop() {
    if (adminA != null) {
      adminA.close();
    }
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void theClusterTheLinkAndReadiness() throws Exception {
    RedisServer.require();
    redis = RedisServer.start();
    a = BusServer.start(ServerConfig.defaults().withPort(0).withCluster(redis.url(), "alpha"));
    b = BusServer.start(ServerConfig.defaults().withPort(0).withCluster(redis.url(), "beta"));
    adminA = AdminServer.start(a, "127.0.0.1", 0);
    AdminHttp http = new AdminHttp(adminA.port());
    try (JdkSocket client = JdkSocket.open(b.port(), "/")) {
      client.text("{\"register\":\"x\",\"id\":1}");
      assertThat(client.next()).isEqualTo("{\"id\":1,\"ok\":true}");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Map<String, Object> doc = http.json("/api/cluster");
                assertThat(doc.get("node")).isEqualTo("alpha");
                assertThat(doc.get("link")).isEqualTo("up");
                List<Object> nodes = AdminHttp.list(doc.get("nodes"));
                assertThat(nodes).hasSize(2);
                Map<String, Object> self = AdminHttp.object(nodes.get(0));
                Map<String, Object> other = AdminHttp.object(nodes.get(1));
                assertThat(self.get("name")).isEqualTo("alpha");
                assertThat(self.get("url")).isEqualTo(a.url());
                assertThat(other.get("name")).isEqualTo("beta");
                assertThat(other.get("url")).isEqualTo(b.url());
                assertThat(AdminHttp.num(other.get("clients"))).isEqualTo(1);
                assertThat(AdminHttp.num(other.get("skills"))).isEqualTo(1);
                assertThat(other.get("redis")).isEqualTo("up");
              });
    }
    assertThat(http.get("/metrics").body())
        .contains("qmsgbus_cluster_link_up 1.0")
        .contains("qmsgbus_cluster_outages_total 0.0");
    assertThat(http.get("/readyz").statusCode()).isEqualTo(200);

    redis.kill();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(http.get("/readyz").statusCode()).isEqualTo(503));
    assertThat(http.get("/readyz").body()).contains("Redis link is down");
    Map<String, Object> down = http.json("/api/cluster");
    assertThat(down.get("link")).isEqualTo("down");
    assertThat(AdminHttp.list(down.get("nodes"))).hasSize(1); // only what it knows of itself
    assertThat(http.get("/metrics").body()).contains("qmsgbus_cluster_link_up 0.0");

    redis.restart();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(http.get("/readyz").statusCode()).isEqualTo(200));
    assertThat(http.get("/metrics").body()).contains("qmsgbus_cluster_outages_total 1.0");
  }

  @Test
  void aSingleNodeHasNoCluster() {
    a = BusServer.start(ServerConfig.defaults().withPort(0));
    adminA = AdminServer.start(a, "127.0.0.1", 0);
    AdminHttp http = new AdminHttp(adminA.port());
    assertThat(http.get("/api/cluster").statusCode()).isEqualTo(404);
    assertThat(http.get("/metrics").body()).doesNotContain("qmsgbus_cluster_");
  }
}
