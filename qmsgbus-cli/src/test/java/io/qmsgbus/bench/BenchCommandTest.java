package io.qmsgbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Tiny runs of {@code qmsgbus bench} against an in-process server: the tool works end to end. These
 * check that packets flow and are counted, never how fast (performance is the bench's printed
 * figures, not a unit test's).
 */
class BenchCommandTest {

  private static BusServer server;

  @BeforeAll
  static void startServer() {
    server = BusServer.start(ServerConfig.defaults().withPort(0));
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private record Run(int exitCode, String out, String err) {}

  private static Run bench(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", "ws://127.0.0.1:" + server.port() + "/", "--quiet"));
    int code =
        new CommandLine(new BenchCommand())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(-?\\d+)").matcher(json);
    assertThat(m.find()).as("%s in %s", key, json).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void fanoutDeliversToEveryReceiverAndWritesHistogramAndPlot(@TempDir Path dir) throws Exception {
    Path hist = dir.resolve("fanout.hgrm");
    Path svg = dir.resolve("fanout.svg");
    Run r =
        bench(
            "fanout",
            "--receivers",
            "2",
            "--duration",
            "1",
            "--warmup",
            "0.3",
            "--threads",
            "2",
            "--json",
            "--hist",
            hist.toString(),
            "--plot",
            svg.toString(),
            "--server-pid",
            Long.toString(ProcessHandle.current().pid()));
    assertThat(r.exitCode()).as(r.err()).isZero();
    String json = r.out().trim();
    assertThat(json).startsWith("{").endsWith("}").contains("\"scenario\":\"fanout\"");
    assertThat(number(json, "delivered")).isPositive();
    assertThat(number(json, "published")).isPositive();
    assertThat(number(json, "errors")).isZero();
    assertThat(number(json, "receivers")).isEqualTo(2);
    assertThat(Files.readString(hist, StandardCharsets.UTF_8)).contains("Percentile");
    String plot = Files.readString(svg, StandardCharsets.UTF_8);
    assertThat(plot).startsWith("<svg").contains("<polyline").contains("qmsgbus");
  }

  @Test
  void ackModeMovesOnePacketAtATime() {
    Run r = bench("ack", "--duration", "1", "--warmup", "0.3", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(number(r.out(), "delivered")).isPositive();
    assertThat(number(r.out(), "errors")).isZero();
    assertThat(number(r.out(), "window")).isEqualTo(1);
  }

  @Test
  void durableCountsConfirmsAndDeliveries() {
    Run r = bench("durable", "--receivers", "2", "--duration", "1", "--warmup", "0.3", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(number(r.out(), "window")).isEqualTo(64);
    assertThat(number(r.out(), "confirmed")).isPositive();
    assertThat(number(r.out(), "delivered")).isPositive();
    assertThat(number(r.out(), "errors")).as(r.out()).isZero();
    assertThat(number(r.out(), "unconfirmed")).isZero();
    assertThat(r.out()).contains("\"confirm_latency_us\":{");
  }

  @Test
  void durableFastPushPrintsConfirmRows() {
    Run r = bench("durable", "--fastpush", "--window", "8", "--duration", "0.5", "--warmup", "0.2");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("confirmed/s", "confirm us", "window 8/receiver");
  }

  @Test
  void pubsubPrintsTheTable() {
    Run r =
        bench(
            "pubsub",
            "--publishers",
            "2",
            "--receivers",
            "2",
            "--skills",
            "2",
            "--duration",
            "0.5",
            "--warmup",
            "0.2");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "published/s", "delivered/s", "MB/s", "latency us", "p99.9", "errors", "bench CPU");
  }

  @Test
  void plotsSavedHistograms(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.hgrm");
    Files.writeString(
        a,
        "       Value     Percentile TotalCount 1/(1-Percentile)\n\n"
            + "      10.000 0.000000000000          1           1.00\n"
            + "      20.000 0.500000000000          5           2.00\n"
            + "     100.000 0.990000000000          9         100.00\n"
            + "     900.000 1.000000000000         10\n");
    Path png = dir.resolve("both.png");
    StringWriter out = new StringWriter();
    int code =
        new CommandLine(new BenchCommand())
            .setOut(new PrintWriter(out, true))
            .execute("--plot", png.toString(), "--plot-hist", "a=" + a, "--plot-hist", "b=" + a);
    assertThat(code).isZero();
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).hasSizeGreaterThan(1000);
    assertThat(bytes[1]).isEqualTo((byte) 'P'); // \x89PNG
  }

  @Test
  void churnRegistersAndDeregistersFreshSkills() {
    long controlsBefore = server.metrics().controls.sum();
    Run r =
        bench(
            "churn",
            "--receivers",
            "2",
            "--rate",
            "600",
            "--duration",
            "0.5",
            "--warmup",
            "0.2",
            "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(number(r.out(), "errors")).as(r.out()).isZero();
    long registers = number(r.out(), "delivered");
    assertThat(registers).isPositive();
    // --rate 600 over 0.5 s: about 300, and never the thousands an unpaced loop does on loopback
    assertThat(registers).isLessThanOrEqualTo(600);
    assertThat(r.out()).contains("\"registers_per_s\":");
    // one latency sample per register counted, and the server answered each of them
    assertThat(number(r.out(), "count")).isEqualTo(registers);
    assertThat(server.metrics().controls.sum() - controlsBefore).isGreaterThanOrEqualTo(registers);
  }

  @Test
  void churnIsRefusedAgainstNats() {
    Run r = bench("churn", "--target", "nats-ws");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("churn is QMsgBus only");
  }

  @Test
  void refusesAnUnknownScenario() {
    Run r = bench("everything");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("SCENARIO must be");
  }

  @Test
  void refusesSeveralUrls() {
    Run r = bench("ack", "--url", "ws://127.0.0.1:1/");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("one --url only");
  }
}
