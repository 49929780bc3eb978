package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

  /**
   * A stop waits for close frames at most {@code shutdownGraceSeconds}; a second SIGTERM does not
   * wait at all. A client that stopped reading keeps the first stop waiting (its close frame is
   * stuck behind megabytes it never read), so only the second signal can end it quickly.
   */
  @Test
  void aSecondSigtermForcesTheStop() throws Exception {
    Process p =
        startServer("--port", "0", "--admin-port", "0", "--set", "shutdownGraceSeconds=120");
    try (Socket stuck = new Socket()) {
      Matcher ready = awaitReady(p);
      int port = Integer.parseInt(ready.group(2));
      stuck.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      stuck.setSoTimeout(10_000);
      stuck.setReceiveBufferSize(4096);
      OutputStream out = stuck.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = stuck.getInputStream();
      StringBuilder head = new StringBuilder();
      while (head.indexOf("\r\n\r\n") < 0 && head.length() < 4096) {
        int b = in.read();
        assertThat(b).as("upgrade answer").isNotNegative();
        head.append((char) b);
      }
      assertThat(head.toString()).startsWith("HTTP/1.1 101");
      byte[] register =
          "{\"register\":\"flood\",\"fastpush\":true,\"id\":1}".getBytes(StandardCharsets.UTF_8);
      byte[] frame = new byte[6 + register.length]; // masked with the all-zero key
      frame[0] = (byte) 0x81;
      frame[1] = (byte) (0x80 | register.length);
      System.arraycopy(register, 0, frame, 6, register.length);
      out.write(frame);
      out.flush();
      // ... and from now on it reads nothing. A publisher pushes 20 MB at it.
      WebSocket publisher =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(URI.create(ready.group(1)), new WebSocket.Listener() {})
              .get(10, TimeUnit.SECONDS);
      String pad = "x".repeat(10_000);
      for (int i = 0; i < 2_000; i++) {
        publisher
            .sendBinary(
                ByteBuffer.wrap(
                    ("{\"skill\":\"flood\",\"p\":\"" + pad + "\"}")
                        .getBytes(StandardCharsets.UTF_8)),
                true)
            .get(10, TimeUnit.SECONDS);
      }
      p.destroy(); // first SIGTERM: waits for the stuck client's close frame
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(p::isAlive);
      p.destroy(); // second SIGTERM: stop now
      assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("stopped by the second signal").isTrue();
      assertThat(p.exitValue()).isZero();
      publisher.abort();
    } finally {
      p.destroyForcibly();
    }
  }
}
