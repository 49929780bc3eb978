package io.qmsgbus.client;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One open WebSocket: whole messages in (fragments reassembled), serialized sends out, one
 * end-of-connection signal. Both clients build on it; it knows nothing of the bus protocol.
 *
 * <p>Every received frame (data, Ping, Pong, Close) is counted and time-stamped, so that a {@link
 * Liveness} check can tell a silent server from a dead one; Pings are answered by the JDK itself.
 */
final class WsConnection {

  /** What a connection reports. Calls come one at a time, from the HTTP client's threads. */
  interface Events {
    /** A whole TEXT message arrived. */
    void onText(String text);

    /** A whole BINARY message arrived; the array is the caller's to keep. */
    void onBinary(byte[] bytes);

    /**
     * The connection ended (close frame, network error, or {@link WsConnection#abort()}); called
     * exactly once.
     *
     * @param status the close status (1006 when there was no close frame)
     * @param error the failure, or {@code null} on an orderly close
     */
    void onClosed(int status, String reason, Throwable error);
  }

  /** Set while an {@link Events} method runs on this thread. */
  private static final ThreadLocal<Boolean> IN_CALLBACK = new ThreadLocal<>();

  /** Status the JDK reports when the connection ended without a close frame. */
  static final int ABNORMAL_CLOSURE = 1006;

  private final WebSocket socket;
  private final Receiver receiver;
  private final Object sendLock = new Object();

  /** Tail of the send chain; java.net.http allows only one outstanding send at a time. */
  private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

  private WsConnection(WebSocket socket, Receiver receiver) {
    this.socket = socket;
    this.receiver = receiver;
  }

  /**
   * Opens a connection. The future fails if the TCP connect or the opening handshake fails or takes
   * longer than {@code timeout} (the JDK applies it to the whole handshake). {@code events} may be
   * called before the future completes, and is never called if it fails. Once open, the connection
   * is watched by {@code liveness} until it ends.
   */
  static CompletableFuture<WsConnection> open(
      HttpClient http, URI uri, Duration timeout, Liveness liveness, Events events) {
    return open(http, uri, timeout, Map.of(), liveness, events);
  }

  /** Same, sending {@code headers} with the opening handshake (e.g. {@code Authorization}). */
  static CompletableFuture<WsConnection> open(
      HttpClient http,
      URI uri,
      Duration timeout,
      Map<String, String> headers,
      Liveness liveness,
      Events events) {
    Receiver receiver = new Receiver(events);
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(timeout);
    headers.forEach(builder::header);
    return builder
        .buildAsync(uri, receiver)
        .thenApply(
            ws -> {
              WsConnection c = new WsConnection(ws, receiver);
              liveness.watch(c, uri.toString());
              return c;
            });
  }

  /** Sends a TEXT message after every earlier send; the future completes once it is written. */
  CompletableFuture<Void> sendText(String text) {
    return enqueue(ws -> ws.sendText(text, true));
  }

  /** Sends a BINARY message after every earlier send; the array must not change until done. */
  CompletableFuture<Void> sendBinary(byte[] bytes) {
    return enqueue(ws -> ws.sendBinary(ByteBuffer.wrap(bytes), true));
  }

  /**
   * Starts the closing handshake with {@code status} after the pending sends. The returned future
   * completes when the connection has ended; if the server does not answer within {@code timeout},
   * the connection is aborted.
   */
  CompletableFuture<Void> close(int status, String reason, Duration timeout) {
    enqueue(ws -> ws.sendClose(status, reason));
    // the server answers our close frame and the JDK then reports onClose; a server that never
    // answers must not keep the socket (and the caller) waiting forever
    receiver
        .closed
        .copy()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((ok, error) -> abort());
    return whenClosed();
  }

  /**
   * Tells whether the calling thread is inside an {@link Events} call. Such a thread must not wait
   * for the connection to close: the close answer arrives through it.
   */
  static boolean inCallback() {
    return IN_CALLBACK.get() != null;
  }

  /**
   * Sends a WebSocket Ping with an empty payload, outside the data send chain (control frames may
   * go between data frames, so a large pending send does not hold it back). The JDK allows one Ping
   * or Pong in flight; if one still is, this Ping is skipped. Never fails: the future is ignored,
   * the Pong (or its absence) is what matters.
   */
  void sendPing() {
    try {
      socket.sendPing(ByteBuffer.allocate(0));
    } catch (RuntimeException e) {
      // as good as a lost Ping: the liveness check sees no answer and drops the connection
    }
  }

  /** How many frames have been received so far (each fragment, Ping, Pong and Close counts). */
  long receivedCount() {
    return receiver.received.get();
  }

  /** When the last frame was received ({@link System#nanoTime}); the opening time if none yet. */
  long lastReceivedNanos() {
    return receiver.lastReceived;
  }

  /** Drops the connection at once, without a closing handshake. Idempotent. */
  void abort() {
    socket.abort();
    // the JDK does not promise a listener call after abort(); the end must still be reported
    receiver.end(ABNORMAL_CLOSURE, "aborted", null);
  }

  /** Tells whether the connection can still send. */
  boolean isOpen() {
    return !receiver.closed.isDone() && !socket.isOutputClosed();
  }

  /** Tells whether the connection has ended (the end has been reported). */
  boolean isEnded() {
    return receiver.closed.isDone();
  }

  /** Completes when the connection has ended, however it ended. */
  CompletableFuture<Void> whenClosed() {
    return receiver.closed.copy();
  }

  private CompletableFuture<Void> enqueue(Function<WebSocket, CompletableFuture<WebSocket>> send) {
    synchronized (sendLock) {
      CompletableFuture<Void> next =
          lastSend
              // a failed send must not block the ones after it; they will fail on their own
              .handle((ignored, error) -> socket)
              .thenCompose(send)
              .thenApply(ws -> null);
      lastSend = next;
      return next;
    }
  }

  /** The java.net.http listener: reassembles fragments and asks for one message part at a time. */
  private static final class Receiver implements WebSocket.Listener {
    private final Events events;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicLong received = new AtomicLong();
    private volatile long lastReceived = System.nanoTime();

    Receiver(Events events) {
      this.events = events;
    }

    /** Notes that a frame arrived; called first thing by every listener method. */
    private void alive() {
      lastReceived = System.nanoTime();
      received.incrementAndGet();
    }

    @Override
    public void onOpen(WebSocket ws) {
      lastReceived = System.nanoTime(); // the handshake answer: silence is measured from here
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      alive();
      text.append(data);
      if (last) {
        String whole = text.toString();
        text.setLength(0);
        deliver(() -> events.onText(whole));
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      alive();
      if (last && binary.size() == 0) {
        byte[] whole = new byte[data.remaining()];
        data.get(whole);
        deliver(() -> events.onBinary(whole));
      } else {
        byte[] part = new byte[data.remaining()];
        data.get(part);
        binary.writeBytes(part);
        if (last) {
          byte[] whole = binary.toByteArray();
          binary.reset();
          deliver(() -> events.onBinary(whole));
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
      alive(); // the JDK sends the Pong by itself
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      alive();
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      alive();
      end(status, reason, null);
      return null; // the JDK answers the close frame once this returns
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      end(ABNORMAL_CLOSURE, "", error);
    }

    private static void deliver(Runnable call) {
      boolean outermost = IN_CALLBACK.get() == null;
      IN_CALLBACK.set(Boolean.TRUE);
      try {
        call.run();
      } finally {
        if (outermost) {
          IN_CALLBACK.remove();
        }
      }
    }

    void end(int status, String reason, Throwable error) {
      if (ended.compareAndSet(false, true)) {
        try {
          deliver(() -> events.onClosed(status, reason, error));
        } finally {
          closed.complete(null);
        }
      }
    }
  }
}
