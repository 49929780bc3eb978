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
 * A bare WebSocket peer for protocol tests: it records every BINARY and TEXT frame separately and
 * how the connection closed, so a test can assert on exactly what went over the wire.
 */
public final class WsProbe implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public final BlockingQueue<byte[]> binary = new LinkedBlockingQueue<>();
  public final BlockingQueue<String> text = new LinkedBlockingQueue<>();

  /** Every frame in arrival order: TEXT as "T:" + text, BINARY as "B:" + its UTF-8 text. */
  public final BlockingQueue<String> frames = new LinkedBlockingQueue<>();

  public final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final WebSocket ws;

  private WsProbe(String uri) {
    this.ws =
        HTTP.newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(URI.create(uri), new Listener())
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
  }

  public static WsProbe connect(int port) {
    return new WsProbe("ws://127.0.0.1:" + port + "/");
  }

  public static WsProbe connect(String uri) {
    return new WsProbe(uri);
  }

  public WsProbe sendText(String s) {
    ws.sendText(s, true).orTimeout(30, TimeUnit.SECONDS).join();
    return this;
  }

  public WsProbe sendBinary(String s) {
    return sendBinary(s.getBytes(StandardCharsets.UTF_8));
  }

  public WsProbe sendBinary(byte[] b) {
    ws.sendBinary(ByteBuffer.wrap(b), true).orTimeout(30, TimeUnit.SECONDS).join();
    return this;
  }

  /** Sends a control packet with an id and waits for its reply, so later steps see it applied. */
  public String control(String jsonWithId) {
    sendText(jsonWithId);
    return nextText();
  }

  public String nextText() {
    return poll(text, 15);
  }

  public String nextBinary() {
    byte[] b = poll(binary, 15);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Null when nothing arrives within {@code millis}: for asserting that nothing was sent. */
  public byte[] binaryWithin(long millis) {
    try {
      return binary.poll(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static <T> T poll(BlockingQueue<T> q, int seconds) {
    try {
      T v = q.poll(seconds, TimeUnit.SECONDS);
      if (v == null) {
        throw new AssertionError("nothing received within " + seconds + "s");
      }
      return v;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public WebSocket socket() {
    return ws;
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").completeOnTimeout(null, 2, TimeUnit.SECONDS);
    }
    ws.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder textPart = new StringBuilder();
    private java.io.ByteArrayOutputStream binPart = new java.io.ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      textPart.append(data);
      if (last) {
        frames.add("T:" + textPart);
        text.add(textPart.toString());
        textPart.setLength(0);
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      binPart.writeBytes(b);
      if (last) {
        frames.add("B:" + binPart.toString(java.nio.charset.StandardCharsets.UTF_8));
        binary.add(binPart.toByteArray());
        binPart = new java.io.ByteArrayOutputStream();
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
      closed.complete(-1);
    }
  }
}
