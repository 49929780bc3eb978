package io.qmsgbus.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * A thread-safe bus client: register for skills, publish, receive, with ACKs, confirmations and
 * reconnection taken care of.
 *
 * <pre>{@code
 * try (BusClient bus = BusClient.connect("ws://127.0.0.1:8081/")) {
 *   bus.register("skill1").get(5, SECONDS);          // completes when the server confirms
 *   bus.publishText("skill1", "hello");
 *   Message m = bus.take(Duration.ofSeconds(5));      // null on timeout; ACKed automatically
 * }
 * }</pre>
 *
 * <p><b>Receiving.</b> Data packets arrive one at a time by default: the server sends the next only
 * after an ACK. With {@linkplain Builder#autoAck auto-ACK} (the default) the client sends the ACK
 * once a message has been handed over: when {@link #take} returns it, or when the {@link
 * #onMessage} handler returns. Without it, call {@link #ack()} when ready for the next one. With
 * {@link #fastpush fast-push} on, the server sends without waiting and messages queue up in this
 * client's memory (unbounded) until taken.
 *
 * <p><b>Requests</b> ({@link #register}, {@link #deregister}, {@link #buffering}, {@link
 * #fastpush}, {@link #get}) carry an {@code id} and return a future that completes when the server
 * confirms, or fails with a {@link BusException} holding the server's error, with a {@link
 * TimeoutException} after the request timeout, or with a {@link BusException} if the connection is
 * lost or the client closed first. They fail at once while disconnected. Futures complete on the
 * client's I/O thread: do not block in non-async stages chained to them.
 *
 * <p><b>Request/reply.</b> {@link #request(String, String, Duration)} publishes a data packet with
 * {@code "reply"} naming this connection's private inbox (asked of the server once per connection)
 * and an {@code "id"}, and completes with the answer: the first message on the inbox whose {@code
 * "re"} is that id. {@link #respond} answers requests so: for each packet of its skill with a
 * {@code "reply"} it publishes {@code {"skill":REPLY,"re":ID,"payload":...}}, the request's {@code
 * id} copied into {@code re}. Answers and requests for a responder's skill are taken out of the
 * stream: they never reach {@link #take} or {@link #onMessage}, and the client ACKs them itself.
 *
 * <p><b>Reconnecting.</b> If enabled (the default) and the connection drops, the client reconnects
 * with exponential backoff and re-applies the registrations and flags the server had confirmed,
 * then runs the {@link #onReconnect} callback. Messages in flight when the connection dropped are
 * lost (the server keeps nothing for a gone client). Publishing while disconnected fails.
 *
 * <p><b>Several servers.</b> Given several addresses ({@link Builder#uris(List)}), the client fails
 * over: {@link #connect()} tries them in order until one opens, and after a lost connection
 * reconnecting goes round-robin, starting with the server after the one that was lost. The backoff
 * is applied once per full round: after a loss the first attempt waits the initial delay, each
 * failed attempt moves on to the next server at once, and only when every server has failed once
 * does the next round wait the doubled delay. Registrations and flags are re-applied on whichever
 * server answers, and a named session keeps its name on every address ({@code ?session=} is added
 * to each); {@link #uri()} tells the one in use.
 *
 * <p><b>Dead servers.</b> A server that stops answering without closing the connection (a crashed
 * host, a pulled cable, a half-open TCP connection) is noticed by the {@linkplain Builder#liveness
 * liveness check}: after 20 s without any frame from the server the client sends a WebSocket Ping,
 * and if nothing arrives within 10 s after that it drops the connection, which then counts as lost
 * (and is reconnected, if enabled).
 */
public final class BusClient implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(BusClient.class.getName());

  /** Where reconnects go (a named session is resumed, never started clean again). */
  private final List<URI> uris;

  /** Where the first connect goes: with {@code clean=true} if the builder asked for it. */
  private final List<URI> firstUris;

  /** Index (in {@link #uris}) of the current connection, or of the last one while disconnected. */
  private volatile int current;

  /** Where reconnect attempts go, and when. Guarded by {@link #lock}. */
  private final Rotation rotation;

  private final boolean confirms;

  /** Another connection took our session (close 4000): reconnecting would steal it back. */
  private volatile boolean takenOver;

  private final Duration connectTimeout;
  private final boolean autoAck;
  private final boolean reconnect;
  private final Liveness liveness;
  private final HttpClient http;
  private final Map<String, String> headers;
  private final PendingReplies pending;
  private final SessionState state = new SessionState();
  private final Inbox inbox;
  private final PendingAnswers answers = new PendingAnswers();

  /** The skills {@link #respond} answers, and how. */
  private final Map<String, Function<Message, String>> responders =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** Runs the responders' handlers, one request at a time. Created lazily, under {@link #lock}. */
  private java.util.concurrent.ExecutorService responding;

  private volatile Thread responderThread;

  /** The inbox asked for on a connection: {@code name} completes with the server's answer. */
  private record InboxRequest(long connection, CompletableFuture<String> name) {}

  /** The last inbox asked for; guarded by {@link #lock}. */
  private InboxRequest inboxRequest;

  /** A known inbox: skill {@code name} is the private inbox of connection {@code connection}. */
  private record KnownInbox(long connection, String name) {}

  private volatile KnownInbox knownInbox;
  private final AtomicLong connections = new AtomicLong();
  private final Object lock = new Object();

  /** The current connection; null while disconnected. Changed only under {@link #lock}. */
  private volatile Link link;

  private volatile boolean closed;
  private boolean started; // guarded by lock
  private ScheduledExecutorService reconnector; // guarded by lock
  private volatile Consumer<String> errorListener =
      error -> LOG.log(System.Logger.Level.WARNING, "bus error: " + error);
  private volatile Runnable reconnectListener = () -> {};
  private volatile java.util.function.BiConsumer<Integer, String> closeListener = (s, r) -> {};

  /** A live connection and the events object that identifies it. */
  private record Link(WsConnection connection, Events events) {}

  private BusClient(Builder b) {
    List<URI> bases =
        b.uris != null
            ? b.uris
            : List.of(WebSocketClientQ.uri(b.secure ? "wss" : "ws", b.host, b.port, b.path));
    List<URI> resume = new java.util.ArrayList<>();
    List<URI> first = new java.util.ArrayList<>();
    for (URI base : bases) {
      URI u = b.session == null ? base : withSession(base, b.session, b.sessionExpiry, false);
      resume.add(u);
      first.add(
          b.session == null || !b.cleanSession
              ? u
              : withSession(base, b.session, b.sessionExpiry, true));
    }
    this.uris = List.copyOf(resume);
    this.firstUris = List.copyOf(first);
    this.confirms = b.confirms;
    this.connectTimeout = b.connectTimeout;
    this.autoAck = b.autoAck;
    this.reconnect = b.reconnect;
    this.rotation = new Rotation(uris.size(), new Backoff(b.initialBackoff, b.maxBackoff));
    this.liveness = b.liveness;
    this.http =
        b.sslContext == null
            ? HttpClient.newHttpClient()
            : HttpClient.newBuilder().sslContext(b.sslContext).build();
    this.headers = Map.copyOf(b.headers);
    this.pending = new PendingReplies(b.requestTimeout);
    this.inbox = new Inbox(this::delivered, "qmsgbus-client-deliver");
  }

  /** Returns a builder with defaults: {@code ws://127.0.0.1:8081/}, auto-ACK, reconnect on. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects to {@code uri} (e.g. {@code ws://127.0.0.1:8081/}) with the builder's defaults.
   *
   * @throws BusException if the connection cannot be opened within the connect timeout
   */
  public static BusClient connect(String uri) throws BusException {
    BusClient client = builder().uri(uri).build();
    client.connect();
    return client;
  }

  /**
   * Opens the connection, waiting at most the connect timeout. With several addresses, tries each
   * in the given order (each with the full connect timeout) until one opens. A failure here is not
   * retried automatically (reconnecting starts only after a connection has been up), but {@code
   * connect()} may be called again.
   *
   * @throws BusException if the connection cannot be opened (to any of the addresses: then the
   *     message names every address and why, the first failure is the cause and the others are
   *     suppressed)
   * @throws IllegalStateException if {@code connect()} is running or has succeeded before (after
   *     that, reconnecting is the client's job; with reconnect off, a lost connection means a new
   *     client), or after {@link #close()}
   */
  public void connect() throws BusException {
    synchronized (lock) {
      if (closed || started) {
        throw new IllegalStateException(closed ? "client is closed" : "connect() already called");
      }
      started = true;
    }
    boolean connected = false;
    try {
      connected = openAny();
    } finally {
      if (!connected) {
        synchronized (lock) {
          started = false;
        }
      }
    }
  }

  /** Tries the addresses in order; the first that opens wins. */
  private boolean openAny() throws BusException {
    if (uris.size() == 1) {
      return open(0);
    }
    List<BusException> failures = new java.util.ArrayList<>();
    for (int i = 0; i < uris.size(); i++) {
      try {
        return open(i);
      } catch (BusException e) {
        if (closed || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        LOG.log(System.Logger.Level.DEBUG, e.getMessage());
        failures.add(e);
      }
    }
    StringBuilder message =
        new StringBuilder("cannot connect to any of the ").append(uris.size()).append(" servers");
    for (BusException e : failures) {
      message.append("; ").append(e.getMessage());
    }
    BusException all = new BusException(message.toString(), failures.get(0));
    failures.subList(1, failures.size()).forEach(all::addSuppressed);
    throw all;
  }

  private boolean open(int index) throws BusException {
    URI uri = uris.get(index);
    Events events = new Events(connections.incrementAndGet(), index);
    CompletableFuture<WsConnection> opening =
        WsConnection.open(http, firstUris.get(index), connectTimeout, headers, liveness, events);
    WsConnection c;
    try {
      c = opening.get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      opening.thenAccept(WsConnection::abort); // nobody will use it if it opens after all
      Thread.currentThread().interrupt();
      throw new BusException("interrupted while connecting to " + uri, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof java.net.http.WebSocketHandshakeException h) {
        int status = h.getResponse().statusCode();
        throw new BusException(
            "cannot connect to "
                + uri
                + ": the server answered HTTP "
                + status
                + (status == 401 ? " (authentication required or refused)" : "")
                + (status == 403 ? " (origin not allowed)" : ""),
            h);
      }
      throw new BusException("cannot connect to " + uri + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      opening.thenAccept(WsConnection::abort);
      throw new BusException("cannot connect to " + uri + ": timed out", e);
    }
    if (!install(c, events)) {
      if (closed) {
        throw new BusException("client closed while connecting");
      }
      throw new BusException("connection to " + uri + " ended at once");
    }
    if (confirms) {
      c.sendText(CONFIRMS_ON);
    }
    return true;
  }

  private static final String CONFIRMS_ON = "{\"confirms\":true}";

  /** The close code the server sends a connection whose session another connection took. */
  public static final int SESSION_TAKEN_OVER = 4000;

  private static URI withSession(URI base, String name, Duration expiry, boolean clean) {
    StringBuilder q = new StringBuilder();
    q.append("session=").append(java.net.URLEncoder.encode(name, StandardCharsets.UTF_8));
    if (expiry != null) {
      q.append("&expiry=").append(expiry.toSeconds());
    }
    if (clean) {
      q.append("&clean=true");
    }
    String s = base.toString();
    String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : "";
    return URI.create(s + path + (base.getRawQuery() == null ? "?" : "&") + q);
  }

  /** Whether the session was taken over by another connection (then this client stops). */
  public boolean sessionTakenOver() {
    return takenOver;
  }

  /** Registers for the skills; registering twice is harmless. */
  public CompletableFuture<Void> register(String... skills) {
    List<String> list = skills("register", skills);
    return request(id -> ControlPackets.register(list, id)).thenRun(() -> state.registered(list));
  }

  /** Stops listening to the skills; packets already queued for them still arrive. */
  public CompletableFuture<Void> deregister(String... skills) {
    List<String> list = skills("deregister", skills);
    return request(id -> ControlPackets.deregister(list, id))
        .thenRun(() -> state.deregistered(list));
  }

  /** Turns server-side buffering of the last sent packet on or off (see {@link #get()}). */
  public CompletableFuture<Void> buffering(boolean on) {
    return request(id -> ControlPackets.flag("buffering", on, id))
        .thenRun(() -> state.buffering(on));
  }

  /** Turns fast-push on (send every packet on arrival, no ACK wait) or off (one at a time). */
  public CompletableFuture<Void> fastpush(boolean on) {
    return request(id -> ControlPackets.flag("fastpush", on, id)).thenRun(() -> state.fastpush(on));
  }

  /**
   * Asks the server to send the kept packet again (it arrives as a new message). Needs buffering on
   * and a packet not yet ACKed, so it is for manual-ACK clients; otherwise the server sends
   * nothing, and the future still completes.
   */
  public CompletableFuture<Void> get() {
    return request(ControlPackets::get);
  }

  /**
   * Sends an ACK: the server may send the next packet and drops the kept one. Needed only without
   * auto-ACK. The future completes when the ACK is written (the server does not reply to it).
   */
  public CompletableFuture<Void> ack() {
    return sendText(ControlPackets.ACK);
  }

  /**
   * Publishes a data packet given whole, e.g. the UTF-8 bytes of {@code
   * {"skill":"s","payload":...}}; it must be a JSON object with a string {@code skill}, and
   * receivers get exactly these bytes. The future completes once the frame is written (the server
   * confirms nothing for data; a bad packet is reported to the {@link #onError} listener).
   */
  public CompletableFuture<Void> publishRaw(byte[] jsonPacket) {
    return sendBinary(Objects.requireNonNull(jsonPacket, "jsonPacket").clone());
  }

  /**
   * Publishes {@code {"skill":skill,"payload":payloadJson}}, the payload inserted verbatim.
   *
   * @throws IllegalArgumentException if {@code payloadJson} is not one well-formed JSON value
   */
  public CompletableFuture<Void> publishJson(String skill, String payloadJson) {
    Objects.requireNonNull(skill, "skill");
    if (!JsonReader.isValue(Objects.requireNonNull(payloadJson, "payloadJson"))) {
      throw new IllegalArgumentException("payload is not one JSON value: " + payloadJson);
    }
    return sendBinary(utf8(ControlPackets.dataJson(skill, payloadJson)));
  }

  /**
   * Publishes {@code {"skill":skill,"id":N,"payload":payloadJson}} and completes when the server
   * confirms it: stored for every durable receiver (see "Sessions that survive" in the README).
   * Fails with the server's reason on {@code ok:false}, or when the connection is lost first (then
   * the packet may or may not have been stored: publish it again). Needs {@link
   * Builder#confirms(boolean)}.
   */
  public CompletableFuture<Void> publishConfirmed(String skill, String payloadJson) {
    Objects.requireNonNull(skill, "skill");
    if (!confirms) {
      throw new IllegalStateException("publishConfirmed needs builder().confirms(true)");
    }
    if (!JsonReader.isValue(Objects.requireNonNull(payloadJson, "payloadJson"))) {
      throw new IllegalArgumentException("payload is not one JSON value: " + payloadJson);
    }
    return request(id -> ControlPackets.dataJson(skill, id, payloadJson));
  }

  /** Publishes {@code {"skill":skill,"payload":"text"}}, the text as a JSON string. */
  public CompletableFuture<Void> publishText(String skill, String text) {
    Objects.requireNonNull(skill, "skill");
    Objects.requireNonNull(text, "text");
    return sendBinary(utf8(ControlPackets.dataText(skill, text)));
  }

  /**
   * Sends a request and completes with its answer: publishes {@code
   * {"skill":skill,"reply":INBOX,"id":N,"payload":payloadJson}}, INBOX being this connection's
   * private inbox (asked of the server on the first request of each connection), and completes with
   * the first message on the inbox carrying {@code "re":N}, as {@link #respond} answers (its {@link
   * Message#payloadJson()} is the answer). Answers that come after that (a second responder's, or
   * one after the timeout) are dropped.
   *
   * <p>Fails with a {@link BusException} holding the server's reason when nobody receives the skill
   * ({@code no receivers for 'SKILL'}, at once) or it refuses the packet, with a {@link
   * TimeoutException} when no answer comes within {@code timeout} (which includes getting the
   * inbox), and with a {@link BusException} when not connected or the connection is lost first.
   * Completes on the I/O thread.
   *
   * @throws IllegalArgumentException if {@code payloadJson} is not one well-formed JSON value, or
   *     {@code timeout} is not positive
   */
  public CompletableFuture<Message> request(String skill, String payloadJson, Duration timeout) {
    Objects.requireNonNull(skill, "skill");
    if (!JsonReader.isValue(Objects.requireNonNull(payloadJson, "payloadJson"))) {
      throw new IllegalArgumentException("payload is not one JSON value: " + payloadJson);
    }
    if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    long id = pending.nextId();
    CompletableFuture<Message> answer = answers.start(id, timeout);
    Link l = link;
    if (l == null) {
      answers.fail(id, notConnected());
      return answer;
    }
    inboxOf(l)
        .whenComplete(
            (box, error) -> {
              if (error != null) {
                answers.fail(id, error);
                return;
              }
              l.connection()
                  .sendBinary(utf8(ControlPackets.request(skill, box, id, payloadJson)))
                  .whenComplete(
                      (ok, sendError) -> {
                        if (sendError != null) {
                          answers.fail(id, new BusException("send failed", sendError));
                        }
                      });
            });
    return answer;
  }

  /**
   * Answers the requests of {@code skill}: registers for it and, for each packet of it that has a
   * {@code "reply"}, publishes {@code {"skill":REPLY,"re":ID,"payload":ANSWER}}, where ANSWER is
   * what {@code handler} returns (one JSON value, inserted verbatim) and ID the request's {@code
   * id} (left out if it had none). A handler returning {@code null} answers nothing; one that
   * throws, or returns what is not JSON, is logged and answers nothing. Handlers run one at a time
   * on a thread of their own; the packets of {@code skill} no longer reach {@link #take} or {@link
   * #onMessage} (packets of it without a {@code reply} are dropped). {@link #close()} lets a
   * running handler finish and send its answer first. The future is {@link #register}'s.
   */
  public CompletableFuture<Void> respond(String skill, Function<Message, String> handler) {
    Objects.requireNonNull(skill, "skill");
    Objects.requireNonNull(handler, "handler");
    synchronized (lock) {
      if (responding == null && !closed) {
        responding =
            Executors.newSingleThreadExecutor(
                task -> {
                  Thread t = new Thread(task, "qmsgbus-client-respond");
                  responderThread = t;
                  t.setDaemon(true);
                  return t;
                });
      }
    }
    responders.put(skill, handler);
    return register(skill);
  }

  /** The inbox of connection {@code l}: asked for once per connection (again if that failed). */
  private CompletableFuture<String> inboxOf(Link l) {
    long connection = l.events().id;
    synchronized (lock) {
      InboxRequest r = inboxRequest;
      if (r != null && r.connection() == connection && !r.name().isCompletedExceptionally()) {
        return r.name();
      }
      PendingReplies.Answered asked = pending.startAnswered();
      CompletableFuture<String> name = new CompletableFuture<>();
      asked
          .reply()
          .whenComplete(
              (reply, error) -> {
                if (error != null) {
                  name.completeExceptionally(error);
                } else if (reply.get("inbox") instanceof String box) {
                  knownInbox = new KnownInbox(connection, box);
                  name.complete(box);
                } else {
                  name.completeExceptionally(
                      new BusException("the server gave no inbox: it may not support requests"));
                }
              });
      inboxRequest = new InboxRequest(connection, name);
      l.connection()
          .sendText(ControlPackets.inbox(asked.id()))
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  pending.fail(asked.id(), new BusException("send failed", error));
                }
              });
      return name;
    }
  }

  /**
   * Takes answers to our requests and requests for our responders out of the stream; tells whether
   * it did. Runs on the I/O thread, in arrival order. Costs nothing while neither is in use.
   */
  private boolean routed(Message m) {
    KnownInbox box = knownInbox;
    boolean maybeAnswer = box != null && box.connection() == m.connection();
    if (!maybeAnswer && responders.isEmpty()) {
      return false;
    }
    Map<String, Object> top;
    try {
      top = JsonReader.readObject(m.text());
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (!(top.get("skill") instanceof String skill)) {
      return false;
    }
    if (maybeAnswer && skill.equals(box.name())) {
      if (!(top.get("re") instanceof Long re) || !answers.answer(re, m)) {
        LOG.log(System.Logger.Level.DEBUG, "dropped an answer nobody waits for: " + m.text());
      }
      ackOwn(m);
      return true;
    }
    Function<Message, String> handler = responders.get(skill);
    if (handler == null) {
      return false;
    }
    java.util.concurrent.ExecutorService executor;
    synchronized (lock) {
      executor = responding;
    }
    if (executor == null) {
      return true; // closed
    }
    try {
      executor.execute(() -> answer(m, top, handler));
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the client is closing: nobody can answer
    }
    return true;
  }

  /** Runs a responder's handler on request {@code m} and publishes the answer. */
  private void answer(Message m, Map<String, Object> top, Function<Message, String> handler) {
    try {
      if (!(top.get("reply") instanceof String reply)) {
        LOG.log(System.Logger.Level.DEBUG, "not a request (no reply), dropped: " + m.text());
        return;
      }
      String payload = handler.apply(m);
      if (payload == null) {
        return;
      }
      if (!JsonReader.isValue(payload)) {
        LOG.log(
            System.Logger.Level.WARNING,
            "respond handler for '" + m.skill() + "' returned what is not JSON: " + payload);
        return;
      }
      String re = JsonReader.topLevelRaw(m.text(), "id");
      sendBinary(utf8(ControlPackets.answer(reply, re, payload)))
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  LOG.log(System.Logger.Level.DEBUG, "answer not sent: " + error);
                }
              });
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "respond handler for '" + m.skill() + "' failed", e);
    } finally {
      ackOwn(m);
    }
  }

  /** ACKs a message the client handled itself (the application never sees it to ACK it). */
  private void ackOwn(Message m) {
    Link l = link;
    if (l != null && l.events().id == m.connection()) {
      l.connection().sendText(ControlPackets.ACK);
    }
  }

  /**
   * Pushes every received message to {@code handler}, from one dedicated thread, in order; with
   * auto-ACK, the ACK goes out when the handler returns (or throws: a failing handler is logged and
   * the packet counts as handled). Once a handler is set, {@link #take} may not be used. Replaces
   * any earlier handler.
   */
  public BusClient onMessage(Consumer<Message> handler) {
    inbox.setHandler(handler);
    return this;
  }

  /**
   * Waits up to {@code timeout} for the next message; with auto-ACK, ACKs it before returning.
   * Messages received before a reconnect are still returned, but not ACKed on the new connection.
   * After {@link #close()} it finds nothing and returns {@code null} once the timeout passes.
   *
   * @return the message, or {@code null} if none arrived in time
   * @throws IllegalStateException if an {@link #onMessage} handler is set
   */
  public Message take(Duration timeout) throws InterruptedException {
    return inbox.take(timeout);
  }

  /**
   * Sets who hears about errors no request future can carry: the server's error replies without an
   * id (e.g. to a bad data packet) and a failed re-apply after reconnecting. The argument is the
   * server's {@code error} text (or the whole reply if it has none). Runs on the I/O thread. The
   * default logs a warning.
   */
  public BusClient onError(Consumer<String> listener) {
    this.errorListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Sets what runs after each automatic reconnect, once the server has confirmed the re-applied
   * registrations and flags (or at once, if there were none). Runs on the I/O thread.
   */
  public BusClient onReconnect(Runnable listener) {
    this.reconnectListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Sets who hears each connection end, with its close status and reason: the server's (e.g. 1009
   * when a message was bigger than its {@code maxFrameBytes}, 1008 for a policy), the answer to
   * {@link #close()} (1000), or 1006 when the connection dropped without a close frame. Runs on the
   * I/O thread, before any reconnect.
   */
  public BusClient onClosed(java.util.function.BiConsumer<Integer, String> listener) {
    this.closeListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** Tells whether a connection is open now. */
  public boolean isConnected() {
    Link l = link;
    return l != null && l.connection().isOpen();
  }

  /** The skills the server has confirmed (and would re-apply after a reconnect). */
  public Set<String> registeredSkills() {
    return state.skills();
  }

  /**
   * The address of the current connection; while disconnected, the one last connected to (before
   * the first connection, the first address). A named session's {@code ?session=} is part of it.
   */
  public URI uri() {
    return uris.get(current);
  }

  /** Every address this client may connect to, in the order tried (see "Several servers"). */
  public List<URI> uris() {
    return uris;
  }

  /**
   * Closes the connection with status 1000, stops reconnecting, fails pending request futures and
   * drops undelivered messages, after letting a {@link #respond} handler that is running finish and
   * send its answer. Waits at most the connect timeout for the server's close answer (not at all
   * when called from an I/O-thread callback). Idempotent.
   */
  @Override
  public void close() {
    finishAnswering();
    Link l;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      l = link;
      link = null;
      if (reconnector != null) {
        reconnector.shutdownNow();
      }
      if (responding != null) {
        responding.shutdownNow();
      }
    }
    pending.failAll(new BusException("client closed"));
    answers.failAll(new BusException("client closed"));
    inbox.close();
    if (l != null) {
      CompletableFuture<Void> done = l.connection().close(1000, "", connectTimeout);
      if (WsConnection.inCallback()) {
        return; // the close answer is read by this very thread: waiting would only stall it
      }
      try {
        done.get();
      } catch (InterruptedException e) {
        l.connection().abort();
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        l.connection().abort();
      }
    }
  }

  /**
   * Lets a responder's running handler finish and its answer go out before the connection closes
   * (waiting at most the connect timeout; not at all on the responder's own thread). Requests that
   * arrive from now on are not answered.
   */
  private void finishAnswering() {
    java.util.concurrent.ExecutorService r;
    synchronized (lock) {
      r = closed ? null : responding;
    }
    if (r == null || Thread.currentThread() == responderThread) {
      return;
    }
    r.shutdown();
    try {
      r.awaitTermination(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private CompletableFuture<Void> request(LongFunction<String> packet) {
    Link l = link;
    if (l == null) {
      return CompletableFuture.failedFuture(notConnected());
    }
    PendingReplies.Request r = pending.start();
    l.connection()
        .sendText(packet.apply(r.id()))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                pending.fail(r.id(), new BusException("send failed", error));
              }
            });
    return r.reply();
  }

  private CompletableFuture<Void> sendText(String text) {
    Link l = link;
    return l == null
        ? CompletableFuture.failedFuture(notConnected())
        : l.connection().sendText(text);
  }

  private CompletableFuture<Void> sendBinary(byte[] bytes) {
    Link l = link;
    return l == null
        ? CompletableFuture.failedFuture(notConnected())
        : l.connection().sendBinary(bytes);
  }

  private BusException notConnected() {
    return new BusException(closed ? "client closed" : "not connected to " + uri());
  }

  /** The auto-ACK, if on; a message from an earlier connection is not ACKed on the new one. */
  private void delivered(Message m) {
    Link l = link;
    if (autoAck && l != null && l.events().id == m.connection()) {
      l.connection().sendText(ControlPackets.ACK);
    }
  }

  /**
   * Makes {@code c} the current connection, unless it already ended or the client was closed.
   * Together with {@link #ended}, under the same lock, it guarantees one reaction per connection.
   */
  private boolean install(WsConnection c, Events events) {
    synchronized (lock) {
      if (!closed && !events.ended) {
        link = new Link(c, events);
        current = events.index;
        rotation.connected(events.index);
        return true;
      }
    }
    c.abort();
    return false;
  }

  private void ended(Events events) {
    synchronized (lock) {
      events.ended = true;
      Link l = link;
      if (l == null || l.events() != events) {
        return; // never installed, or already replaced: whoever installs reacts
      }
      link = null;
    }
    // no reply can come over a dead connection
    pending.failAll(new BusException("connection to " + uris.get(events.index) + " lost"));
    answers.failAll(new BusException("connection to " + uris.get(events.index) + " lost"));
    scheduleReconnect(events.index);
  }

  /**
   * Schedules the next reconnect attempt: after losing the connection to server {@code lostIndex},
   * or, with -1, after a failed attempt.
   */
  private void scheduleReconnect(int lostIndex) {
    synchronized (lock) {
      if (closed || !reconnect || takenOver) {
        return;
      }
      if (reconnector == null) {
        reconnector =
            Executors.newSingleThreadScheduledExecutor(
                task -> {
                  Thread t = new Thread(task, "qmsgbus-client-reconnect");
                  t.setDaemon(true);
                  return t;
                });
      }
      Rotation.Attempt next = lostIndex >= 0 ? rotation.lost(lostIndex) : rotation.failed();
      Duration delay = next.delay();
      LOG.log(
          System.Logger.Level.DEBUG, "reconnecting to " + uris.get(next.index()) + " in " + delay);
      reconnector.schedule(
          () -> reconnectNow(next.index()), delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void reconnectNow(int index) {
    if (closed) {
      return;
    }
    URI uri = uris.get(index);
    Events events = new Events(connections.incrementAndGet(), index);
    WsConnection.open(http, uri, connectTimeout, headers, liveness, events)
        .whenComplete(
            (c, error) -> {
              if (error != null) {
                LOG.log(System.Logger.Level.DEBUG, "reconnect to " + uri + " failed: " + error);
                scheduleReconnect(-1);
              } else if (install(c, events)) {
                restore();
              } else {
                scheduleReconnect(-1);
              }
            });
  }

  private void restore() {
    Link l = link;
    if (l == null) {
      return;
    }
    if (confirms) {
      l.connection().sendText(CONFIRMS_ON);
    }
    PendingReplies.Request r = pending.start();
    String packet = state.restorePacket(r.id());
    if (packet == null) {
      pending.complete(r.id(), true, null);
    } else {
      l.connection()
          .sendText(packet)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  pending.fail(r.id(), new BusException("send failed", error));
                }
              });
    }
    r.reply()
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                reconnectListener.run();
              } else {
                errorListener.accept("could not re-apply the session after reconnecting: " + error);
              }
            });
  }

  private void onReply(String text) {
    Map<String, Object> reply;
    try {
      reply = JsonReader.readObject(text);
    } catch (IllegalArgumentException e) {
      errorListener.accept(text);
      return;
    }
    Object error = reply.get("error");
    String errorText = error instanceof String s ? s : null;
    boolean ok = Boolean.TRUE.equals(reply.get("ok"));
    if (reply.get("id") instanceof Long id) {
      if (pending.complete(id, reply)) {
        return;
      }
      // a request's "no receivers" (an ok for it, with confirms on, is no news)
      if (!ok && answers.fail(id, new BusException(errorText != null ? errorText : text))) {
        return;
      }
    }
    if (!ok) {
      errorListener.accept(errorText != null ? errorText : text);
    }
  }

  private static List<String> skills(String what, String... skills) {
    if (skills.length == 0) {
      throw new IllegalArgumentException(what + " needs at least one skill");
    }
    for (String skill : skills) {
      Objects.requireNonNull(skill, "skill");
    }
    return List.of(skills);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** One connection's events; its identity tells a current connection from a stale one. */
  private final class Events implements WsConnection.Events {
    final long id;

    /** Which of {@link #uris} this connection goes to. */
    final int index;

    boolean ended; // guarded by lock

    Events(long id, int index) {
      this.id = id;
      this.index = index;
    }

    @Override
    public void onText(String text) {
      try {
        onReply(text);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "reply handling failed", e);
      }
    }

    @Override
    public void onBinary(byte[] bytes) {
      Message m = new Message(bytes, id);
      if (!routed(m)) {
        inbox.add(m);
      }
    }

    @Override
    public void onClosed(int status, String reason, Throwable error) {
      if (status == SESSION_TAKEN_OVER) {
        takenOver = true;
        errorListener.accept("session taken over by another connection; not reconnecting");
      }
      URI uri = uris.get(index);
      if (error != null) {
        LOG.log(System.Logger.Level.WARNING, "connection to " + uri + " failed", error);
      } else {
        LOG.log(System.Logger.Level.DEBUG, "connection to " + uri + " closed: " + status);
      }
      try {
        closeListener.accept(status, reason);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "close listener failed", e);
      }
      ended(this);
    }
  }

  /** Settings for a {@link BusClient}; every setter returns the builder. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8081;
    private String path = "/";
    private boolean secure;
    private List<URI> uris;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private boolean autoAck = true;
    private boolean reconnect = true;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Liveness liveness = Liveness.DEFAULT;
    private javax.net.ssl.SSLContext sslContext;
    private final Map<String, String> headers = new java.util.LinkedHashMap<>();
    private String session;
    private Duration sessionExpiry;
    private boolean cleanSession;
    private boolean confirms;

    private Builder() {}

    /**
     * Names a durable session: the server keeps its registrations and queue while this client is
     * away, and a reconnect resumes it (the unacked packet comes again first). See "Sessions that
     * survive" in the README.
     */
    public Builder session(String name) {
      this.session = Objects.requireNonNull(name, "name");
      return this;
    }

    /** How long the server keeps the session after the connection goes (its default: 1 hour). */
    public Builder sessionExpiry(Duration expiry) {
      if (Objects.requireNonNull(expiry, "expiry").isNegative()) {
        throw new IllegalArgumentException("expiry must not be negative: " + expiry);
      }
      this.sessionExpiry = expiry;
      return this;
    }

    /** Start the session afresh on the first connect (reconnects always resume it). */
    public Builder cleanSession(boolean clean) {
      this.cleanSession = clean;
      return this;
    }

    /** Ask for publisher confirms (needed by {@link BusClient#publishConfirmed}). */
    public Builder confirms(boolean on) {
      this.confirms = on;
      return this;
    }

    /**
     * The TLS context for {@code wss://}, e.g. one trusting a given certificate ({@link
     * TlsTrust#fromPem}); default: the JDK's, trusting the usual certificate authorities.
     */
    public Builder sslContext(javax.net.ssl.SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "context");
      return this;
    }

    /** Authenticates with a bearer token (a JWT): {@code Authorization: Bearer TOKEN}. */
    public Builder token(String token) {
      return header("Authorization", "Bearer " + Objects.requireNonNull(token, "token").trim());
    }

    /** Authenticates with a name and password from the server's users file (HTTP Basic). */
    public Builder basicAuth(String user, String password) {
      String pair =
          Objects.requireNonNull(user, "user") + ":" + Objects.requireNonNull(password, "password");
      return header(
          "Authorization",
          "Basic "
              + java.util.Base64.getEncoder()
                  .encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    /** Sends a header with the opening handshake (and with every reconnect's). */
    public Builder header(String name, String value) {
      headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Server host name or address; default {@code 127.0.0.1}. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      this.uris = null;
      return this;
    }

    /** Server port; default 8081. */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("bad port: " + port);
      }
      this.port = port;
      this.uris = null;
      return this;
    }

    /** Request path, {@code "/"} (default) or {@code "/ws"}. */
    public Builder path(String path) {
      this.path = Objects.requireNonNull(path, "path");
      this.uris = null;
      return this;
    }

    /** Use TLS ({@code wss://}), trusting what the JDK's default SSL context trusts. */
    public Builder secure(boolean secure) {
      this.secure = secure;
      this.uris = null;
      return this;
    }

    /** The whole address instead of host, port, path: {@code ws://HOST:PORT/PATH} or wss. */
    public Builder uri(String uri) {
      this.uris = List.of(checked(URI.create(Objects.requireNonNull(uri, "uri"))));
      return this;
    }

    /**
     * Several servers to fail over between, instead of one address: {@link BusClient#connect()}
     * tries them in this order, and a lost connection is reconnected round-robin, starting with the
     * next one, the backoff applied once per full round (see "Several servers" in {@link
     * BusClient}). Each is a whole address, as for {@link #uri(String)}; all share the other
     * settings (session, token, TLS context, headers).
     *
     * @throws IllegalArgumentException if the list is empty, or an address is not ws:// or wss://
     */
    public Builder uris(List<URI> uris) {
      Objects.requireNonNull(uris, "uris");
      if (uris.isEmpty()) {
        throw new IllegalArgumentException("no server addresses given");
      }
      List<URI> copy = new java.util.ArrayList<>();
      for (URI u : uris) {
        copy.add(checked(Objects.requireNonNull(u, "uri")));
      }
      this.uris = List.copyOf(copy);
      return this;
    }

    /** {@link #uris(List)} from strings, e.g. {@code uris("ws://a:8081/", "ws://b:8081/")}. */
    public Builder uris(String... uris) {
      List<URI> parsed = new java.util.ArrayList<>();
      for (String u : Objects.requireNonNull(uris, "uris")) {
        parsed.add(URI.create(Objects.requireNonNull(u, "uri")));
      }
      return uris(parsed);
    }

    private static URI checked(URI u) {
      if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme())) {
        throw new IllegalArgumentException("not a ws:// or wss:// address: " + u);
      }
      return u;
    }

    /** How long opening a connection (TCP and handshake) may take; default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** How long a request waits for the server's reply before failing; default 10 s. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /**
     * ACK each message once handed over (default {@code true}); off: call {@link BusClient#ack()}.
     */
    public Builder autoAck(boolean autoAck) {
      this.autoAck = autoAck;
      return this;
    }

    /**
     * Reconnect after a lost connection (default on, 100 ms doubling to 30 s), re-applying the
     * confirmed registrations and flags. With several servers ({@link #uris(List)}) the attempts go
     * round-robin and the delay is applied once per full round: a failed attempt is followed at
     * once by one to the next server, and the delay doubles after every server has failed once.
     */
    public Builder reconnect(boolean enabled, Duration initialBackoff, Duration maxBackoff) {
      Backoff.check(
          Objects.requireNonNull(initialBackoff, "initialBackoff"),
          Objects.requireNonNull(maxBackoff, "maxBackoff"));
      this.reconnect = enabled;
      this.initialBackoff = initialBackoff;
      this.maxBackoff = maxBackoff;
      return this;
    }

    /**
     * The dead-server check (default on: ping after 20 s, timeout 10 s). When nothing has been
     * received from the server for {@code pingInterval}, the client sends a WebSocket Ping; if
     * nothing at all (the Pong or any other frame) arrives within {@code pongTimeout} after that,
     * the connection is dropped as lost, {@link BusClient#isConnected()} turns false, pending
     * requests fail, and reconnecting starts (if enabled). Any received frame counts as a sign of
     * life, so a busy connection is never pinged. A server that has gone silent is thus noticed
     * within about {@code pingInterval + pongTimeout}.
     *
     * @param pingInterval silence before a Ping; {@link Duration#ZERO} turns the check off (a
     *     silent connection is then kept for as long as TCP keeps it)
     * @param pongTimeout how long to wait for an answer to the Ping; positive unless the check is
     *     off
     * @throws IllegalArgumentException if a time is negative, or {@code pongTimeout} is zero while
     *     {@code pingInterval} is not
     */
    public Builder liveness(Duration pingInterval, Duration pongTimeout) {
      this.liveness = Liveness.of(pingInterval, pongTimeout);
      return this;
    }

    /** Creates the client, not yet connected. */
    public BusClient build() {
      return new BusClient(this);
    }

    private static Duration positive(Duration d, String name) {
      if (Objects.requireNonNull(d, name).isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
