package io.qmsgbus.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client on the JDK's own implementation, for over-the-socket tests that need a real
 * second implementation of the protocol rather than our framer: every TEXT and BINARY message in
 * arrival order (BINARY as "bin:" + its text), and the close code the server sent.
 */
public final class JdkSocket implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  public final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  public final CompletableFuture<String> closeReason = new CompletableFuture<>();
  private final WebSocket ws;

  private JdkSocket(String url, java.util.Map<String, String> headers) {
    StringBuilder text = new StringBuilder();
    java.io.ByteArrayOutputStream bin = new java.io.ByteArrayOutputStream();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              received.add(text.toString());
              text.setLength(0);
            }
            w.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bin.writeBytes(b);
            if (last) {
              received.add("bin:" + bin.toString(StandardCharsets.UTF_8));
              bin.reset();
            }
            w.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            closeCode.complete(code);
            closeReason.complete(reason);
            return null;
          }

          @Override
          public void onError(WebSocket w, Throwable error) {
            closeCode.complete(-1);
            closeReason.complete(String.valueOf(error));
          }
        };
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
    headers.forEach(builder::header);
    this.ws =
        builder
            .connectTimeout(TIMEOUT)
            .buildAsync(URI.create(url), listener)
            .orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
            .join();
  }

  public static JdkSocket open(int port, String pathAndQuery) {
    return open(port, pathAndQuery, java.util.Map.of());
  }

  /** With extra upgrade headers (e.g. {@code Authorization}). */
  public static JdkSocket open(
      int port, String pathAndQuery, java.util.Map<String, String> headers) {
    return new JdkSocket("ws://127.0.0.1:" + port + pathAndQuery, headers);
  }

  public JdkSocket text(String json) {
    ws.sendText(json, true).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    return this;
  }

  public JdkSocket binary(String data) {
    ws.sendBinary(ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8)), true)
        .orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .join();
    return this;
  }

  /** The next message, or a failure after the timeout. */
  public String next() throws InterruptedException {
    String m = received.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("nothing received in " + TIMEOUT);
    }
    return m;
  }

  /** Nothing arrives within {@code millis} (for "no more packets" checks after a barrier). */
  public String poll(long millis) throws InterruptedException {
    return received.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** Cuts the TCP connection without a close handshake, as a dropped link would. */
  public void drop() {
    ws.abort();
  }

  @Override
  public void close() {
    ws.abort();
  }
}
