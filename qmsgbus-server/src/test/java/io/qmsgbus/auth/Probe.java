package io.qmsgbus.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A bare WebSocket peer with handshake headers (and TLS trust): records TEXT and BINARY frames
 * separately, so a test sees exactly what the server sent.
 */
final class Probe implements AutoCloseable {

  final BlockingQueue<String> text = new LinkedBlockingQueue<>();
  final BlockingQueue<String> binary = new LinkedBlockingQueue<>();

  /** Completed with {@code "CODE reason"} when the server's close frame arrives. */
  final CompletableFuture<String> closed = new CompletableFuture<>();

  private final WebSocket ws;

  private Probe(String uri, Map<String, String> headers, SSLContext ssl) {
    HttpClient http =
        ssl == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(ssl).build();
    WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    headers.forEach(b::header);
    this.ws = b.buildAsync(URI.create(uri), new Listener()).orTimeout(10, TimeUnit.SECONDS).join();
  }

  static Probe connect(int port, String token) {
    return new Probe("ws://127.0.0.1:" + port + "/", Fixtures.bearer(token), null);
  }

  static Probe connect(String uri, Map<String, String> headers, SSLContext ssl) {
    return new Probe(uri, headers, ssl);
  }

  Probe sendText(String s) {
    ws.sendText(s, true).orTimeout(10, TimeUnit.SECONDS).join();
    return this;
  }

  Probe sendBinary(String s) {
    ws.sendBinary(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)), true)
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
    return this;
  }

  /** The next TEXT frame, waiting at most 10 s; fails if none comes. */
  String nextText() throws InterruptedException {
    String s = text.poll(10, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("no TEXT frame within 10 s");
    }
    return s;
  }

  /** The next BINARY frame (as UTF-8), waiting at most 10 s; fails if none comes. */
  String nextBinary() throws InterruptedException {
    String s = binary.poll(10, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("no BINARY frame within 10 s");
    }
    return s;
  }

  /** Sends a control packet with an id and returns the reply: everything before it was applied. */
  String control(String json) throws InterruptedException {
    sendText(json);
    return nextText();
  }

  @Override
  public void close() {
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "")
        .orTimeout(5, TimeUnit.SECONDS)
        .handle((ok, e) -> null)
        .join();
    ws.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder t = new StringBuilder();
    private final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      t.append(data);
      if (last) {
        text.add(t.toString());
        t.setLength(0);
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
      byte[] part = new byte[data.remaining()];
      data.get(part);
      b.writeBytes(part);
      if (last) {
        binary.add(b.toString(StandardCharsets.UTF_8));
        b.reset();
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
      closed.complete(status + " " + reason);
      return CompletableFuture.completedFuture(null);
    }
  }
}
