package io.qmsgbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code durable} against a real nats-server with JetStream ({@code --start-server}), when one is
 * installed: the stream and consumers are made, PubAcks count as confirms, acks flow. Skipped
 * without nats-server.
 */
class NatsJetStreamTest {

  private static final Path NATS = Path.of("/usr/sbin/nats-server");

  @BeforeAll
  static void needsNats() {
    assumeTrue(Files.isExecutable(NATS), "nats-server not installed");
  }

  private static String bench(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--target",
            "nats-ws",
            "--start-server",
            "--nats-server",
            NATS.toString(),
            "--quiet",
            "--json"));
    int code =
        new CommandLine(new BenchCommand())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(all.toArray(String[]::new));
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(-?\\d+)").matcher(json);
    assertThat(m.find()).as("%s in %s", key, json).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void ackModeOnAFileStream() {
    String json = bench("durable", "--duration", "0.5", "--warmup", "0.2");
    assertThat(number(json, "confirmed")).isPositive();
    assertThat(number(json, "delivered")).isPositive();
    assertThat(number(json, "errors")).as(json).isZero();
    assertThat(number(json, "unconfirmed")).isZero();
    assertThat(number(json, "undelivered")).isZero();
  }

  @Test
  void fastPushToTwoConsumersInMemory() {
    String json =
        bench(
            "durable",
            "--fastpush",
            "--receivers",
            "2",
            "--storage",
            "memory",
            "--duration",
            "0.5",
            "--warmup",
            "0.2");
    long confirmed = number(json, "confirmed");
    assertThat(confirmed).isPositive();
    assertThat(number(json, "delivered")).isPositive();
    assertThat(number(json, "errors")).as(json).isZero();
  }
}
