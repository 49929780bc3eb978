package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** pub and sub given several --url: they use the next server when one is dead or goes away. */
@Timeout(120)
class ClientFailoverTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private BusServer server1;
  private BusServer server2;

  @BeforeEach
  void start() {
    server1 = BusServer.start(ServerConfig.defaults().withPort(0));
    server2 = BusServer.start(ServerConfig.defaults().withPort(0));
  }

  @AfterEach
  void stop() {
    server1.close();
    server2.close();
  }

  private static String url(int port) {
    return "ws://127.0.0.1:" + port + "/";
  }

  /** Runs the CLI in-process, returns exit code and stderr. */
  private record Run(int code, String err) {}

  private static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(new byte[0]));
      int code = Main.run(args);
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
  }

  @Test
  void pubSkipsADeadFirstUrl() throws Exception {
    try (BusClient receiver = BusClient.builder().uri(url(server2.port())).build()) {
      receiver.connect();
      receiver.register("fo").get(10, TimeUnit.SECONDS);
      Run pub = run("pub", "fo", "42", "--url", url(deadPort()), "--url", url(server2.port()));
      assertThat(pub.code()).as(pub.err()).isZero();
      Message m = receiver.take(WAIT);
      assertThat(m).isNotNull();
      assertThat(m.text()).isEqualTo("{\"skill\":\"fo\",\"payload\":42}");
    }
  }

  @Test
  void pubFailsWhenNoUrlAnswers() throws Exception {
    int dead1 = deadPort();
    int dead2 = deadPort();
    Run pub = run("pub", "fo", "1", "--url", url(dead1) + "," + url(dead2));
    assertThat(pub.code()).isEqualTo(1);
    assertThat(pub.err()).contains("any of the 2 servers").contains(":" + dead1 + "/");
  }

  @Test
  void subMovesToTheSecondServerWhenTheFirstStops() throws Exception {
    Process sub =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "sub",
                "fo",
                "--url",
                url(server1.port()),
                "--url",
                url(server2.port()),
                "--count",
                "2",
                "--timeout",
                "60")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread pump =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(sub.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                  }
                } catch (IOException e) {
                  lines.add("read failed: " + e);
                }
              });
      pump.setDaemon(true);
      pump.start();

      await().atMost(WAIT).until(() -> server1.registrations() == 1);
      try (BusClient pub1 = BusClient.builder().uri(url(server1.port())).build()) {
        pub1.connect();
        pub1.publishText("fo", "one").get(10, TimeUnit.SECONDS);
      }
      assertThat(lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo("{\"skill\":\"fo\",\"payload\":\"one\"}");

      server1.close();
      await().atMost(WAIT).until(() -> server2.registrations() == 1);
      try (BusClient pub2 = BusClient.builder().uri(url(server2.port())).build()) {
        pub2.connect();
        pub2.publishText("fo", "two").get(10, TimeUnit.SECONDS);
      }
      assertThat(lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo("{\"skill\":\"fo\",\"payload\":\"two\"}");
      assertThat(sub.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(sub.exitValue()).isZero();
      assertThat(List.copyOf(lines)).isEmpty();
    } finally {
      sub.destroyForcibly();
    }
  }

  /** A loopback port nobody listens on (it was free a moment ago). */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
