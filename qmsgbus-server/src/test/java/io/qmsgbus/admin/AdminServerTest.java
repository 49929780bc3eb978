package io.qmsgbus.admin;

import static io.qmsgbus.admin.AdminHttp.dbl;
import static io.qmsgbus.admin.AdminHttp.list;
import static io.qmsgbus.admin.AdminHttp.num;
import static io.qmsgbus.admin.AdminHttp.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.Started;
import io.qmsgbus.transport.BusServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin listener over real sockets: health, readiness, /metrics, the JSON API, the console. */
class AdminServerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Started first, closed last. */
  @RegisterExtension
  @Order(1)
  final Started<BusServer> started =
      Started.perTest(() -> BusServer.start(ServerConfig.defaults().withPort(0)));

  @RegisterExtension
  @Order(2)
  final Started<AdminServer> startedAdmin =
      Started.perTest(() -> AdminServer.start(started.get(), "127.0.0.1", 0));

  private final List<AutoCloseable> closers = new ArrayList<>();
  private BusServer bus;
  private AdminServer admin;
  private AdminHttp http;

  @BeforeEach
  void start() {
    bus = started.get();
    admin = startedAdmin.get();
    http = new AdminHttp(admin.port());
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closers.size() - 1; i >= 0; i--) {
      closers.get(i).close(); // before the admin listener and the server close
    }
  }

  private BusClient client() throws Exception {
    BusClient c = BusClient.builder().uri("ws://127.0.0.1:" + bus.port() + "/").build();
    closers.add(c);
    c.connect();
    return c;
  }

  private static List<String> receive(BusClient c, int n) throws InterruptedException {
    List<String> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Message m = c.take(WAIT);
      assertThat(m).as("packet %d of %d", i + 1, n).isNotNull();
      got.add(m.text());
    }
    return got;
  }

  /**
   * A receiver of "temps" (ACK-paced, or with buffering and fastpush on) and a publisher; three
   * packets go through.
   */
  private BusClient[] traffic(boolean flags) throws Exception {
    BusClient receiver = client();
    if (flags) {
      receiver.buffering(true).get(10, TimeUnit.SECONDS);
      receiver.fastpush(true).get(10, TimeUnit.SECONDS);
    }
    receiver.register("temps").get(10, TimeUnit.SECONDS);
    BusClient publisher = client();
    for (int i = 0; i < 3; i++) {
      publisher.publishJson("temps", "{\"c\":" + (20 + i) + "}").get(10, TimeUnit.SECONDS);
    }
    assertThat(receive(receiver, 3)).hasSize(3);
    return new BusClient[] {receiver, publisher};
  }

  // ---------------------------------------------------------------- health

  @Test
  void healthzAndReadyzAnswer() {
    HttpResponse<String> health = http.get("/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok\n");
    assertThat(health.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");

    HttpResponse<String> ready = http.get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ready\n");
  }

  @Test
  void readyzIs503WhileTheBusIsAtItsConnectionLimit() throws Exception {
    BusServer small =
        BusServer.start(ServerConfig.defaults().withPort(0).with("maxConnections", "1"));
    closers.add(small);
    AdminServer smallAdmin = AdminServer.start(small, "127.0.0.1", 0);
    closers.add(smallAdmin);
    AdminHttp h = new AdminHttp(smallAdmin.port());
    assertThat(h.get("/readyz").statusCode()).isEqualTo(200);

    BusClient only = BusClient.builder().uri("ws://127.0.0.1:" + small.port() + "/").build();
    closers.add(only);
    only.connect();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(h.get("/readyz").statusCode()).isEqualTo(503));
    assertThat(h.get("/readyz").body()).startsWith("not ready");
    assertThat(h.get("/healthz").statusCode()).as("alive all the same").isEqualTo(200);
    assertThat(h.json("/api/stats").get("ready")).isEqualTo(false);

    only.close();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(h.get("/readyz").statusCode()).isEqualTo(200));
  }

  // ---------------------------------------------------------------- HTTP rules

  @Test
  void onlyGetAndHeadAreAllowedAndUnknownPathsAre404() {
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
      HttpResponse<String> r = http.send(method, "/api/stats");
      assertThat(r.statusCode()).as(method).isEqualTo(405);
      assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
    }
    assertThat(http.get("/nope").statusCode()).isEqualTo(404);
    assertThat(http.get("/api").statusCode()).isEqualTo(404);
    assertThat(http.get("/metrics/").statusCode()).isEqualTo(404);

    HttpResponse<String> head = http.send("HEAD", "/healthz");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("content-length")).hasValue("3");
    HttpResponse<String> headJson = http.send("HEAD", "/api/clients");
    assertThat(headJson.statusCode()).isEqualTo(200);
    assertThat(headJson.body()).isEmpty();
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (Socket s = new Socket("127.0.0.1", admin.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      // the slow one (client snapshots, a scrape) first, then two quick ones, in one write
      out.write(
          ("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"
                  + "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
                  + "GET /nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String all = readAll(s.getInputStream());
      Matcher status = Pattern.compile("HTTP/1\\.1 (\\d{3})").matcher(all);
      List<String> codes = new ArrayList<>();
      while (status.find()) {
        codes.add(status.group(1));
      }
      assertThat(codes).containsExactly("200", "200", "404");
      assertThat(all.indexOf("qmsgbus_connections")).isLessThan(all.indexOf("ok\n"));
    }
  }

  private static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    in.transferTo(b); // the server closes after the third response
    return b.toString(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- /metrics

  @Test
  void metricsHaveTheBusSeriesAndTheJvmOnes() throws Exception {
    BusClient[] c = traffic(false);
    c[1].publishRaw("not json".getBytes(StandardCharsets.UTF_8));
    c[1].publishJson("nobody", "1").get(10, TimeUnit.SECONDS);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              String m = http.get("/metrics").body();
              assertThat(value(m, "qmsgbus_errors_total{kind=\"bad_input\"}")).isEqualTo(1);
              // a skill nobody registered for has no series of its own (junk names cannot own any)
              assertThat(value(m, "qmsgbus_packets_unrouted_total{skill=\"_other\"}")).isEqualTo(1);
              assertThat(value(m, "qmsgbus_ack_latency_seconds_count")).isEqualTo(3);
            });

    HttpResponse<String> r = http.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElseThrow())
        .startsWith("text/plain")
        .contains("version=0.0.4");
    String m = r.body();
    // connections
    assertThat(value(m, "qmsgbus_connections")).isEqualTo(2);
    assertThat(value(m, "qmsgbus_connections_opened_total")).isEqualTo(2);
    assertThat(m).contains("# TYPE qmsgbus_connections gauge");
    // per skill
    assertThat(value(m, "qmsgbus_registrations{skill=\"temps\"}")).isEqualTo(1);
    assertThat(value(m, "qmsgbus_packets_in_total{skill=\"temps\"}")).isEqualTo(3);
    assertThat(value(m, "qmsgbus_packets_out_total{skill=\"temps\"}")).isEqualTo(3);
    assertThat(value(m, "qmsgbus_packets_dropped_total{skill=\"temps\"}")).isZero();
    assertThat(m).contains("# TYPE qmsgbus_packets_in_total counter");
    // totals
    assertThat(value(m, "qmsgbus_packets_sent_total")).isEqualTo(3);
    assertThat(value(m, "qmsgbus_received_bytes_total")).isGreaterThan(0);
    assertThat(m).contains("qmsgbus_sent_bytes_total ");
    assertThat(value(m, "qmsgbus_errors_total{kind=\"rate_limited\"}")).isZero();
    assertThat(value(m, "qmsgbus_errors_total{kind=\"connection_refused\"}")).isZero();
    // the distributions
    assertThat(m).contains("# TYPE qmsgbus_ack_latency_seconds histogram");
    assertThat(value(m, "qmsgbus_ack_latency_seconds_bucket{le=\"+Inf\"}")).isEqualTo(3);
    assertThat(value(m, "qmsgbus_queue_depth_bucket{le=\"+Inf\"}")).isEqualTo(2);
    assertThat(value(m, "qmsgbus_queue_depth_gcount")).isEqualTo(2);
    assertThat(m)
        .contains("qmsgbus_queued_packets ", "qmsgbus_queued_bytes ", "qmsgbus_clients_in_flight ");
    // the JVM's
    assertThat(m)
        .contains("jvm_memory_used_bytes{area=\"heap\"}")
        .contains("jvm_threads_current ")
        .contains("jvm_gc_collection_seconds")
        .contains("process_cpu_seconds_total ");
    // every line a comment or a sample
    for (String line : m.split("\n")) {
      assertThat(line).matches("# (HELP|TYPE) .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? \\S+");
    }
  }

  @Test
  void metricsSpeakOpenMetricsWhenAskedFor() {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8")
                .GET());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElseThrow())
        .startsWith("application/openmetrics-text");
    assertThat(r.body()).contains("qmsgbus_connections").endsWith("# EOF\n");
  }

  /** The value of the one sample named exactly {@code series} (name and labels). */
  private static double value(String exposition, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
    assertThat(m.find()).as("series %s in:%n%s", series, exposition).isTrue();
    return Double.parseDouble(m.group(1));
  }

  // ---------------------------------------------------------------- JSON API

  @Test
  void apiStatsDescribesTheBus() throws Exception {
    traffic(false);
    Map<String, Object> s = http.json("/api/stats");
    assertThat(s.get("wsUrl")).isEqualTo(bus.url());
    assertThat(s.get("ready")).isEqualTo(true);
    assertThat(s)
        .containsKeys(
            "startedAtMillis",
            "uptimeSeconds",
            "timeMillis",
            "connections",
            "packets",
            "bytes",
            "rates",
            "errors",
            "queues",
            "ackLatency",
            "skills");
    assertThat(s).doesNotContainKey("history");
    Map<String, Object> c = object(s.get("connections"));
    assertThat(num(c.get("current"))).isEqualTo(2);
    assertThat(num(c.get("total"))).isEqualTo(2);
    assertThat(num(c.get("refused"))).isZero();
    assertThat(num(c.get("max"))).isEqualTo(bus.config().maxConnections());
    Map<String, Object> p = object(s.get("packets"));
    assertThat(num(p.get("in"))).isEqualTo(3);
    assertThat(num(p.get("sent"))).isEqualTo(3);
    assertThat(num(p.get("dropped"))).isZero();
    assertThat(num(p.get("unrouted"))).isZero();
    assertThat(num(p.get("controls"))).isGreaterThanOrEqualTo(3);
    assertThat(num(object(s.get("bytes")).get("in"))).isGreaterThan(0);
    assertThat(object(s.get("rates")))
        .containsKeys("in", "out", "dropped", "bytesIn", "bytesOut", "atMillis");
    assertThat(object(s.get("errors"))).containsOnlyKeys("badInput", "rateLimited", "refused");
    assertThat(object(s.get("queues")))
        .containsOnlyKeys("packets", "bytes", "maxDepth", "inFlight");
    assertThat(object(s.get("ackLatency")))
        .containsKeys("count", "meanMillis", "p50Millis", "p99Millis");
    assertThat(num(s.get("skills"))).isEqualTo(1);

    Map<String, Object> withHistory = http.json("/api/stats?history=1");
    assertThat(withHistory.get("history")).isInstanceOf(List.class);
  }

  @Test
  void apiClientsListsEachClientWithItsState() throws Exception {
    BusClient[] c = traffic(true);
    Map<String, Object> doc = http.json("/api/clients");
    assertThat(num(doc.get("count"))).isEqualTo(2);
    assertThat(doc.get("truncated")).isEqualTo(false);
    List<Object> clients = list(doc.get("clients"));
    assertThat(clients).hasSize(2);
    Map<String, Object> receiver = object(clients.get(0));
    Map<String, Object> publisher = object(clients.get(1));
    assertThat(num(receiver.get("id"))).isLessThan(num(publisher.get("id")));
    assertThat(receiver)
        .containsOnlyKeys(
            "id",
            "remoteAddress",
            "connectedAtMillis",
            "connectedSince",
            "connectedSeconds",
            "skills",
            "buffering",
            "fastpush",
            "inFlight",
            "queued",
            "queuedBytes",
            "sent",
            "acked",
            "dropped",
            "lastAckAgeMillis");
    assertThat((String) receiver.get("remoteAddress")).contains("127.0.0.1:");
    assertThat(list(receiver.get("skills"))).containsExactly("temps");
    assertThat(receiver.get("buffering")).isEqualTo(true);
    assertThat(receiver.get("fastpush")).isEqualTo(true);
    assertThat(num(receiver.get("sent"))).isEqualTo(3);
    assertThat(num(receiver.get("queued"))).isZero();
    assertThat(num(receiver.get("dropped"))).isZero();
    assertThat(num(receiver.get("connectedAtMillis"))).isPositive();
    assertThat((String) receiver.get("connectedSince")).endsWith("Z");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Map<String, Object> r = object(list(http.json("/api/clients").get("clients")).get(0));
              // fastpush: acks that find nothing in flight are no-ops, so 1 to 3 of them count
              assertThat(num(r.get("acked"))).isBetween(1L, 3L);
              assertThat(num(r.get("lastAckAgeMillis"))).isGreaterThanOrEqualTo(0);
            });
    assertThat(list(publisher.get("skills"))).isEmpty();
    assertThat(publisher.get("buffering")).isEqualTo(false);
    assertThat(num(publisher.get("lastAckAgeMillis"))).isEqualTo(-1);

    Map<String, Object> limited = http.json("/api/clients?limit=1");
    assertThat(list(limited.get("clients"))).hasSize(1);
    assertThat(limited.get("truncated")).isEqualTo(true);
    assertThat(num(limited.get("count"))).isEqualTo(2);

    c[0].close();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(list(http.json("/api/clients").get("clients"))).hasSize(1));
  }

  @Test
  void apiSkillsCountsReceiversAndTraffic() throws Exception {
    BusClient[] c = traffic(false);
    c[1].publishJson("nobody", "1").get(10, TimeUnit.SECONDS);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(list(http.json("/api/skills").get("skills"))).hasSize(2));
    Map<String, Object> doc = http.json("/api/skills");
    assertThat(num(doc.get("count"))).isEqualTo(2);
    List<Object> skills = list(doc.get("skills"));
    Map<String, Object> nobody = object(skills.get(0));
    Map<String, Object> temps = object(skills.get(1));
    assertThat(nobody.get("name")).isEqualTo("_other"); // unregistered: no series of its own
    assertThat(num(nobody.get("receivers"))).isZero();
    assertThat(num(nobody.get("unrouted"))).isEqualTo(1);
    assertThat(temps)
        .containsOnlyKeys(
            "name", "receivers", "in", "out", "dropped", "unrouted", "rateIn", "rateOut");
    assertThat(temps.get("name")).isEqualTo("temps");
    assertThat(num(temps.get("receivers"))).isEqualTo(1);
    assertThat(num(temps.get("in"))).isEqualTo(3);
    assertThat(num(temps.get("out"))).isEqualTo(3);
    assertThat(num(temps.get("dropped"))).isZero();
  }

  @Test
  void ratesRiseWhileTrafficFlows() throws Exception {
    BusClient receiver = client();
    receiver.register("busy").get(10, TimeUnit.SECONDS);
    BusClient publisher = client();
    for (int i = 0; i < 20; i++) {
      publisher.publishText("busy", "m" + i).get(10, TimeUnit.SECONDS);
    }
    // the sampler looks once a second; the first look after the burst sees it
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Map<String, Object> s = http.json("/api/stats");
              assertThat(dbl(object(s.get("rates")).get("in"))).isPositive();
              Map<String, Object> busy =
                  object(list(http.json("/api/skills").get("skills")).get(0));
              assertThat(dbl(busy.get("rateIn"))).isPositive();
            });
    assertThat(receive(receiver, 20)).hasSize(20);
  }

  // ---------------------------------------------------------------- console and lifecycle

  @Test
  void theConsoleIsServedFromTheJar() {
    HttpResponse<String> page = http.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
        .contains("default-src 'self'");
    assertThat(page.body())
        .contains("<title>QMsgBus console</title>")
        .contains("console.js")
        .doesNotContain("http://", "https://"); // nothing from elsewhere
    assertThat(http.get("/index.html").body()).isEqualTo(page.body());
    HttpResponse<String> js = http.get("/console.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("content-type").orElseThrow()).startsWith("text/javascript");
    assertThat(js.body()).contains("api/stats").doesNotContain("innerHTML");
    assertThat(http.get("/console.css").headers().firstValue("content-type").orElseThrow())
        .startsWith("text/css");
    assertThat(http.get("/favicon.svg").statusCode()).isEqualTo(200);
  }

  @Test
  void closeStopsTheListenerAndLeavesTheBusRunning() throws Exception {
    int port = admin.port();
    admin.close();
    admin.close(); // idempotent
    assertThatThrownBy(() -> new AdminHttp(port).get("/healthz"))
        .isInstanceOf(RuntimeException.class);
    BusClient c = client();
    c.register("still").get(10, TimeUnit.SECONDS);
    assertThat(bus.sessionCount()).isEqualTo(1);
  }

  @Test
  void aTakenPortIsAClearError() {
    assertThatThrownBy(() -> AdminServer.start(bus, "127.0.0.1", admin.port()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot listen on 127.0.0.1:" + admin.port());
  }
}
