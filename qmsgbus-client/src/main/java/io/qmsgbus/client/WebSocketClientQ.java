package io.qmsgbus.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The seed project's client, in Java: received data packets land in a deque the application polls,
 * and the application sends with {@link #emitText} (control) and {@link #emitBinary} (data).
 *
 * <pre>{@code
 * Deque<byte[]> q = new ConcurrentLinkedDeque<>();
 * WebSocketClientQ ws = new WebSocketClientQ(q, "127.0.0.1", 8081, "/");
 * new Thread(ws::runForever).start();
 * while (!ws.emitText("{\"register\":\"skill1\"}")) { ... wait and retry ... }
 * byte[] packet = q.pollFirst();            // null while nothing has arrived
 * if (packet != null) { ...; ws.emitText("{\"ack\":\"\"}"); }
 * }</pre>
 *
 * <p>Only BINARY messages go into the deque (the bus delivers data packets as BINARY, with the
 * sender's exact bytes; fragmented messages are reassembled first). TEXT messages are the server's
 * replies and errors: they go to the {@linkplain #setTextListener text listener}, never into the
 * deque, so the deque holds nothing but data.
 *
 * <p>The deque is filled from an HTTP-client thread while the application reads it from its own, so
 * it <b>must be thread-safe</b>, e.g. {@link java.util.concurrent.ConcurrentLinkedDeque} or {@link
 * java.util.concurrent.LinkedBlockingDeque}. Packets are added at the tail ({@code addLast}); take
 * them from the head ({@code pollFirst}).
 *
 * <p>This class does no reconnecting and no acknowledging of its own: like the seed, the
 * application decides. {@link BusClient} is the client that does both.
 *
 * <p>A server that stops answering without closing the connection (a crashed host, a half-open TCP
 * connection) is noticed by the {@linkplain #setLiveness liveness check}, on by default: the
 * connection is dropped and {@link #runForever} returns, so the application can call it again.
 */
public final class WebSocketClientQ {

  private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final System.Logger LOG = System.getLogger(WebSocketClientQ.class.getName());

  private final Deque<byte[]> queue;
  private final URI uri;
  private final Duration connectTimeout;
  private final HttpClient http;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile boolean closed;
  private volatile WsConnection connection;
  private volatile Consumer<String> textListener = text -> {};
  private volatile Liveness liveness = Liveness.DEFAULT;
  private final java.util.Map<String, String> headers =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Creates a client for {@code ws://host:port/path}; nothing happens until {@link #runForever}.
   *
   * @param queue where received data packets go; must be thread-safe (see the class comment)
   * @param host server name or address (an IPv6 literal may be given with or without brackets)
   * @param port server port
   * @param path request path, e.g. {@code "/"} or {@code "/ws"}; a missing leading slash is added
   */
  public WebSocketClientQ(Deque<byte[]> queue, String host, int port, String path) {
    this(queue, host, port, path, DEFAULT_CONNECT_TIMEOUT);
  }

  /**
   * Same as {@link #WebSocketClientQ(Deque, String, int, String)}, with the time {@link
   * #runForever} allows for connecting (TCP connect and WebSocket handshake; default 10 s).
   */
  public WebSocketClientQ(
      Deque<byte[]> queue, String host, int port, String path, Duration connectTimeout) {
    this(queue, host, port, path, connectTimeout, null);
  }

  /**
   * Same as {@link #WebSocketClientQ(Deque, String, int, String, Duration)}, over TLS ({@code
   * wss://host:port/path}) when {@code sslContext} is not null, trusting what it trusts (e.g.
   * {@link TlsTrust#fromPem} for a server's own certificate).
   */
  public WebSocketClientQ(
      Deque<byte[]> queue,
      String host,
      int port,
      String path,
      Duration connectTimeout,
      javax.net.ssl.SSLContext sslContext) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.uri =
        uri(
            sslContext == null ? "ws" : "wss",
            Objects.requireNonNull(host, "host"),
            port,
            Objects.requireNonNull(path, "path"));
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    this.http =
        sslContext == null
            ? HttpClient.newHttpClient()
            : HttpClient.newBuilder().sslContext(sslContext).build();
  }

  /**
   * Sends a header with the opening handshake of the next {@link #runForever}, e.g. {@code
   * setHeader("Authorization", "Bearer " + token)} for a server that requires authentication.
   */
  public void setHeader(String name, String value) {
    headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
  }

  /**
   * Connects and then blocks for as long as the connection lasts; meant to run in its own thread.
   *
   * <p>Exactly: if {@link #close()} was already called, returns at once. Otherwise it opens one
   * connection (waiting at most the connect timeout); if that fails, it logs why and returns. Once
   * connected, {@link #isConnected()} is true and the call blocks until the connection ends, which
   * happens when {@link #close()} is called, when the server closes it, when the network fails, or
   * when the server stops answering (see {@link #setLiveness}); then it returns. It never
   * reconnects by itself (like Python's {@code run_forever}); call it again to reconnect
   * (server-side registrations and flags start afresh on a new connection). Interrupting the thread
   * drops the connection and returns with the interrupt flag set.
   *
   * @throws IllegalStateException if another thread is already inside {@code runForever}
   */
  public void runForever() {
    if (!running.compareAndSet(false, true)) {
      throw new IllegalStateException("runForever is already running");
    }
    try {
      if (closed) {
        return;
      }
      WsConnection c = connect();
      if (c == null) {
        return;
      }
      connection = c;
      if (closed) {
        // close() ran between connect and publish of the connection; it could not see it
        c.close(1000, "", connectTimeout);
      }
      awaitEnd(c);
    } finally {
      connection = null;
      running.set(false);
    }
  }

  /**
   * Sends {@code text} in a TEXT frame (the seed's channel for control packets, e.g. {@code
   * {"register":"skill1"}}). Blocks until the frame is handed to the network, after any earlier
   * sends from any thread.
   *
   * @return {@code false} if not connected or the send failed; {@code true} once sent
   */
  public boolean emitText(String text) {
    Objects.requireNonNull(text, "text");
    WsConnection c = connection;
    return c != null && c.isOpen() && waitFor(c.sendText(text));
  }

  /**
   * Sends {@code bytes} in a BINARY frame (the seed's channel for data packets, e.g. the UTF-8
   * bytes of {@code {"skill":"skill1","payload":"..."}}). Blocks like {@link #emitText}. The array
   * is copied, so the caller may reuse it.
   *
   * @return {@code false} if not connected or the send failed; {@code true} once sent
   */
  public boolean emitBinary(byte[] bytes) {
    byte[] copy = Objects.requireNonNull(bytes, "bytes").clone();
    WsConnection c = connection;
    return c != null && c.isOpen() && waitFor(c.sendBinary(copy));
  }

  /** Tells whether a connection is open, i.e. whether an {@code emit} can succeed now. */
  public boolean isConnected() {
    WsConnection c = connection;
    return c != null && c.isOpen();
  }

  /**
   * Closes the connection with status 1000 (normal closure), which makes {@link #runForever}
   * return; a later {@code runForever} returns at once. Waits at most the connect timeout for the
   * server to answer the close (not at all when called from the text listener). Idempotent.
   */
  public void close() {
    closed = true;
    WsConnection c = connection;
    if (c != null) {
      CompletableFuture<Void> done = c.close(1000, "", connectTimeout);
      if (!WsConnection.inCallback()) { // from the text listener, waiting would stall the reader
        waitFor(done);
      }
    }
  }

  /**
   * Sets who receives TEXT messages (the server's replies to control packets that carry an {@code
   * id}, and its error reports). Called on an HTTP-client thread, one message at a time; keep it
   * short. The default drops them. Replaces any earlier listener.
   */
  public void setTextListener(Consumer<String> listener) {
    this.textListener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Sets the dead-server check (default on: ping after 20 s, timeout 10 s); it applies to
   * connections opened by later {@link #runForever} calls. When nothing has been received for
   * {@code pingInterval}, a WebSocket Ping is sent; if nothing at all (the Pong or any other frame)
   * arrives within {@code pongTimeout} after that, the connection is dropped: {@link
   * #isConnected()} turns false and {@link #runForever} returns. Any received frame counts as a
   * sign of life, so a busy connection is never pinged.
   *
   * @param pingInterval silence before a Ping; {@link Duration#ZERO} turns the check off (a silent
   *     connection is then kept for as long as TCP keeps it)
   * @param pongTimeout how long to wait for an answer to the Ping; positive unless the check is off
   * @throws IllegalArgumentException if a time is negative, or {@code pongTimeout} is zero while
   *     {@code pingInterval} is not
   */
  public void setLiveness(Duration pingInterval, Duration pongTimeout) {
    this.liveness = Liveness.of(pingInterval, pongTimeout);
  }

  /** The address this client connects to. */
  public URI uri() {
    return uri;
  }

  private WsConnection connect() {
    CompletableFuture<WsConnection> opening =
        WsConnection.open(
            http, uri, connectTimeout, java.util.Map.copyOf(headers), liveness, new Events());
    try {
      return opening.get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      opening.thenAccept(WsConnection::abort); // nobody will use it if it opens after all
      Thread.currentThread().interrupt();
      return null;
    } catch (TimeoutException e) {
      opening.thenAccept(WsConnection::abort);
      LOG.log(System.Logger.Level.WARNING, "cannot connect to " + uri + ": timed out");
      return null;
    } catch (ExecutionException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot connect to " + uri + ": " + e.getCause());
      return null;
    }
  }

  private static void awaitEnd(WsConnection c) {
    try {
      c.whenClosed().get();
    } catch (InterruptedException e) {
      c.abort();
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // whenClosed never fails; nothing to report
    }
  }

  private static boolean waitFor(CompletableFuture<Void> send) {
    try {
      send.get();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  static URI uri(String host, int port, String path) {
    return uri("ws", host, port, path);
  }

  /** Builds {@code scheme://host:port/path}, bracketing IPv6 literals and adding the slash. */
  static URI uri(String scheme, String host, int port, String path) {
    // java.net.URI adds brackets to a bare IPv6 literal itself
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    String bare = bracketed ? host.substring(1, host.length() - 1) : host;
    try {
      return new URI(
          scheme, null, bare, port, path.startsWith("/") ? path : "/" + path, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad host or path: " + e.getMessage(), e);
    }
  }

  /** Routes a connection's messages: BINARY to the deque, TEXT to the listener. */
  private final class Events implements WsConnection.Events {
    @Override
    public void onText(String text) {
      try {
        textListener.accept(text);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "text listener failed", e);
      }
    }

    @Override
    public void onBinary(byte[] bytes) {
      queue.addLast(bytes);
    }

    @Override
    public void onClosed(int status, String reason, Throwable error) {
      if (error != null) {
        LOG.log(System.Logger.Level.WARNING, "connection to " + uri + " failed", error);
      } else {
        LOG.log(System.Logger.Level.DEBUG, "connection to " + uri + " closed: " + status);
      }
    }
  }
}
