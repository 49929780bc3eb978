package io.qmsgbus.interop;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The Java side of mixed tests: a bare JDK {@link WebSocket} that records every frame it gets with
 * its type, so a test sees exactly what the server sent (no client library in between).
 */
final class JdkBusClient implements AutoCloseable {

  /** One received message: its type and its exact bytes. */
  record Frame(boolean binary, byte[] bytes) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<Frame> frames = new CopyOnWriteArrayList<>();
  private final WebSocket socket;
  private int nextId = 1;

  private JdkBusClient(URI uri) throws Exception {
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(TIMEOUT)
            .buildAsync(uri, new Recorder())
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  static JdkBusClient connect(int port) {
    try {
      return new JdkBusClient(URI.create("ws://127.0.0.1:" + port + "/"));
    } catch (Exception e) {
      throw new AssertionError("cannot connect to the bus on port " + port, e);
    }
  }

  /** Collects fragments into whole messages. */
  private final class Recorder implements WebSocket.Listener {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      pending.writeBytes(data.toString().getBytes(StandardCharsets.UTF_8));
      if (last) {
        frames.add(new Frame(false, pending.toByteArray()));
        pending.reset();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      pending.writeBytes(chunk);
      if (last) {
        frames.add(new Frame(true, pending.toByteArray()));
        pending.reset();
      }
      ws.request(1);
      return null;
    }
  }

  synchronized void sendText(String text) {
    join(socket.sendText(text, true));
  }

  synchronized void sendBinary(byte[] bytes) {
    join(socket.sendBinary(ByteBuffer.wrap(bytes), true));
  }

  /**
   * Sends a control packet that changes nothing (deregister a skill nobody uses) with an id, and
   * waits for its reply: every frame sent before it has then been handled by the server.
   */
  void sync() {
    String id = "jdk-sync-" + nextId++;
    sendText("{\"deregister\":\"qmsgbus-sync-noop\",\"id\":\"" + id + "\"}");
    awaitFrame(f -> !f.binary() && f.text().contains("\"" + id + "\""));
  }

  List<Frame> frames() {
    return List.copyOf(frames);
  }

  List<Frame> binaryFrames() {
    return frames.stream().filter(Frame::binary).collect(Collectors.toList());
  }

  void awaitBinaryFrames(int n) {
    try {
      await()
          .atMost(TIMEOUT)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(5))
          .until(() -> binaryFrames().size() >= n);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("expected " + n + " binary frame(s), got " + describe(), e);
    }
  }

  private void awaitFrame(Predicate<Frame> match) {
    try {
      await()
          .atMost(TIMEOUT)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(5))
          .until(() -> frames.stream().anyMatch(match));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the awaited frame did not come; got " + describe(), e);
    }
  }

  String describe() {
    return frames.stream()
        .map(f -> (f.binary() ? "BINARY " : "TEXT ") + f.text())
        .collect(Collectors.joining("\n", "[\n", "\n]"));
  }

  private static void join(CompletableFuture<WebSocket> send) {
    try {
      send.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("send failed", e);
    }
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    } finally {
      socket.abort();
    }
  }
}
