package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code qmsgbus server} with its admin listener: the second ready line, --admin-port, stopping.
 */
class ServerAdminOptionsTest {

  private static final Pattern ADMIN =
      Pattern.compile("^admin on (http://127\\.0\\.0\\.1:(\\d+)/)$");

  private static Process start(String... args) throws Exception {
    return start(ProcessBuilder.Redirect.DISCARD, args);
  }

  private static Process start(ProcessBuilder.Redirect stderr, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "server",
                "--port",
                "0"));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(stderr).start();
  }

  /** The first two lines of stdout (the second is null if stdout ends first). */
  private static String[] firstTwoLines(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    return CompletableFuture.supplyAsync(() -> new String[] {readLine(out), readLine(out)})
        .get(30, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newBuilder()
        .proxy(HttpClient.Builder.NO_PROXY)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void printsTheAdminAddressAfterTheListeningLineAndServesIt() throws Exception {
    // --port 0 without an admin port: the admin listener takes a free port as well
    Process p = start();
    try {
      String[] lines = firstTwoLines(p);
      assertThat(lines[0]).startsWith("listening on ws://127.0.0.1:");
      Matcher admin = ADMIN.matcher(lines[1]);
      assertThat(admin.matches()).as(lines[1]).isTrue();
      HttpResponse<String> health = get(admin.group(1) + "healthz");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("ok\n");
      String wsUrl = lines[0].substring("listening on ".length());
      assertThat(get(admin.group(1) + "api/stats").body()).contains("\"wsUrl\":\"" + wsUrl + "\"");
      p.destroy(); // SIGTERM: the admin listener closes, then the bus
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void adminPortZeroTurnsItOff() throws Exception {
    Process p = start("--admin-port", "0");
    try {
      List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                BufferedReader out =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = readLine(out)) != null; ) {
                  lines.add(line);
                }
              });
      reader.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> !lines.isEmpty());
      assertThat(lines.get(0)).startsWith("listening on ");
      p.destroy(); // SIGTERM; then everything else it printed
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      reader.join(10_000);
      assertThat(lines).noneMatch(l -> l.contains("admin on"));
    } finally {
      p.destroyForcibly();
    }
  }

  private static String readLine(BufferedReader in) {
    try {
      return in.readLine();
    } catch (java.io.IOException e) {
      return null; // the stream closed with the process
    }
  }

  @Test
  void anAdminPortThatIsTakenIsAnError() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Process p =
          start(
              ProcessBuilder.Redirect.PIPE, "--admin-port", Integer.toString(taken.getLocalPort()));
      try {
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(err)
            .contains(
                "qmsgbus server: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (admin)");
      } finally {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void aNonLoopbackAdminHostWithoutATokenFileRefusesToStart() throws Exception {
    Process p = start(ProcessBuilder.Redirect.PIPE, "--admin-host", "0.0.0.0");
    String err =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                })
            .get(30, TimeUnit.SECONDS);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err).contains("adminTokenFile").contains("--admin-token-file");
  }
}
