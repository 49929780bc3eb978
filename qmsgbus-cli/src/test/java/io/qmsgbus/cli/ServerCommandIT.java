package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code qmsgbus server} process: its ready line, its config file, SIGTERM -> exit 0. */
class ServerCommandIT {

  private static final Pattern READY =
      Pattern.compile("listening on (ws://127\\.0\\.0\\.1:(\\d+)/)");

  static Process startServer(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                javaBin(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "server"));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Reads stdout until the ready line; bounded by the future's timeout. */
  static Matcher awaitReady(Process p) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                for (String line; (line = out.readLine()) != null; ) {
                  Matcher m = READY.matcher(line);
                  if (m.find()) {
                    return m;
                  }
                }
                throw new AssertionError("server exited before it was ready");
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            })
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void printsWhereItListensServesAndExitsZeroOnSigterm(@TempDir Path dir) throws Exception {
    Path cfg = dir.resolve("qmsgbus.properties");
    Files.writeString(cfg, "# test config\nport = 0\nmaxQueuePackets = 50\n");
    Process p = startServer("--config", cfg.toString());
    try {
      Matcher ready = awaitReady(p);
      CompletableFuture<String> reply = new CompletableFuture<>();
      WebSocket ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(
                  URI.create(ready.group(1)),
                  new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                      reply.complete(data.toString());
                      return null;
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      ws.sendText("{\"register\":\"x\",\"id\":1}", true);
      assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("{\"id\":1,\"ok\":true}");
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aBadSettingIsRefusedWithAClearMessage() throws Exception {
    Process p =
        new ProcessBuilder(
                javaBin(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "server",
                "--set",
                "maxQueuePackets=lots")
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).isEqualTo(2);
      assertThat(out).contains("maxQueuePackets").contains("not a number");
    } finally {
      p.destroyForcibly();
    }
  }
}
