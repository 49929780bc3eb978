package io.qmsgbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.RedisServer;
import io.qmsgbus.transport.BusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --receiver-url}: the receivers connect to another server than the publishers; between two
 * unrelated servers nothing arrives, between two nodes of a cluster everything arrives through
 * Redis. Counted by the servers themselves, not by the bench.
 */
class ReceiverUrlTest {

  private final List<BusServer> servers = new ArrayList<>();
  private RedisServer redis;

  @AfterEach
  void stop() {
    servers.forEach(BusServer::close);
    if (redis != null) {
      redis.close();
    }
  }

  private BusServer server(ServerConfig config) {
    BusServer s = BusServer.start(config.withPort(0));
    servers.add(s);
    return s;
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run bench(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new BenchCommand())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static String url(BusServer s) {
    return "ws://127.0.0.1:" + s.port() + "/";
  }

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(-?\\d+)").matcher(json);
    assertThat(m.find()).as("%s in %s", key, json).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static Run fanout(BusServer publishTo, BusServer receiveFrom, String duration) {
    return bench(
        "fanout",
        "--receivers",
        "2",
        "--duration",
        duration,
        "--warmup",
        "0.2",
        "--threads",
        "1",
        "--json",
        "--quiet",
        "--url",
        url(publishTo),
        "--receiver-url",
        url(receiveFrom));
  }

  @Test
  void receiversConnectToTheReceiverUrlAndPublishersToTheUrl() {
    BusServer a = server(ServerConfig.defaults());
    BusServer b = server(ServerConfig.defaults());
    Run r = fanout(a, b, "0.3");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(a.metrics().connectionsTotal.sum()).as("the publisher, on a").isEqualTo(1);
    assertThat(b.metrics().connectionsTotal.sum()).as("the 2 receivers, on b").isEqualTo(2);
    assertThat(a.metrics().packetsIn.sum()).isPositive();
    assertThat(b.metrics().packetsDelivered.sum()).isZero();
    // two servers that know nothing of each other: a has nobody to deliver to
    assertThat(a.metrics().packetsUnrouted.sum()).isPositive();
    assertThat(number(r.out(), "delivered")).isZero();
    assertThat(r.out()).contains("\"receiver_url\":\"" + url(b) + "\"");
  }

  @Test
  void acrossTwoNodesOfAClusterEveryReceiverGetsThePacketsThroughRedis() throws Exception {
    assumeTrue(RedisServer.available(), "redis-server is not installed (.ci/run installs it)");
    redis = RedisServer.start();
    BusServer a = server(ServerConfig.defaults().withCluster(redis.url(), "a"));
    BusServer b = server(ServerConfig.defaults().withCluster(redis.url(), "b"));
    Run r = fanout(a, b, "0.5");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(number(r.out(), "errors")).as(r.out()).isZero();
    assertThat(number(r.out(), "delivered")).isPositive();
    assertThat(number(r.out(), "undelivered")).as(r.out()).isZero();
    assertThat(b.cluster().stats().received.sum()).as("packets b got from Redis").isPositive();
    assertThat(a.metrics().packetsDelivered.sum()).as("a has no receivers").isZero();
    assertThat(b.metrics().packetsDelivered.sum())
        .isEqualTo(2 * b.cluster().stats().received.sum());
  }

  @Test
  void refusesAReceiverUrlThatIsNotWebSocket() {
    Run r = bench("fanout", "--receiver-url", "http://127.0.0.1:1/", "--quiet");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--receiver-url must be ws://");
  }
}
