package io.qmsgbus.session;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.internal.PlatformDependent;
import io.qmsgbus.auth.Identity;
import io.qmsgbus.config.OverflowPolicy;
import io.qmsgbus.message.Message;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.protocol.Replies;
import io.qmsgbus.routing.Receiver;
import io.qmsgbus.routing.Router;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client: its registrations, its flags and its {@link DeliveryStateMachine}, attached to a
 * {@link Connection}. Policy (who may register or publish what, global limits) is the post
 * office's; the session applies what was allowed. Everything runs on the connection's event loop;
 * messages offered from other loops pass through a bounded lock-free inbox drained in one task per
 * burst, and writes are flushed once per burst rather than per packet.
 */
public final class ClientSession implements Receiver, SessionView {

  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  private final long id;
  private final Identity identity;
  private final Connection connection;
  private final EventLoop loop;
  private final Router router;
  private final BusMetrics metrics;
  private final long maxQueueBytes;
  private final DeliveryStateMachine<Message> machine;
  private final Set<String> skills = new LinkedHashSet<>();

  /**
   * Messages offered from other event loops. Small chunks (16 slots, grown as needed): there is one
   * per client, and most hold nothing most of the time. Its bytes count against the client's queue
   * bound ({@link #inboxBytes}), so a burst from many loops cannot grow it without limit.
   */
  private final Queue<Message> inbox = PlatformDependent.newMpscQueue(16, 1 << 30);

  private final AtomicLong inboxBytes = new AtomicLong();
  private final AtomicBoolean inboxScheduled = new AtomicBoolean();
  private final Runnable drainInbox = this::drainInbox;
  private final Runnable flushTask = this::flushNow;
  private final long connectedAtMillis = System.currentTimeMillis();

  /**
   * When the packet now in flight was sent (ACK mode), for the send-to-ack histogram; 0 if none.
   */
  private long inFlightSinceNanos;

  private long lastAckNanos;
  private boolean flushScheduled;
  private boolean notices;

  /** Drops not yet reported, by skill (only when the client asked for notices). */
  private Map<String, Long> unreportedDrops;

  private volatile boolean closed;

  /**
   * @param identity who the client authenticated as, or null when the server has no auth
   */
  public ClientSession(
      long id,
      Identity identity,
      Connection connection,
      Router router,
      BusMetrics metrics,
      int maxQueuePackets,
      long maxQueueBytes,
      OverflowPolicy overflowPolicy) {
    this.id = id;
    this.identity = identity;
    this.connection = connection;
    this.loop = connection.eventLoop();
    this.router = router;
    this.metrics = metrics;
    this.maxQueueBytes = maxQueueBytes;
    this.machine =
        new DeliveryStateMachine<>(
            new ConnectionOutput(), maxQueuePackets, maxQueueBytes, overflowPolicy);
  }

  @Override
  public void offer(Message message) {
    if (closed) {
      message.release();
      return;
    }
    if (loop.inEventLoop()) {
      offerLocal(message);
      return;
    }
    if (inboxBytes.addAndGet(message.size()) > maxQueueBytes) {
      inboxBytes.addAndGet(-message.size()); // over the client's bound before it even queues
      loop.execute(() -> dropped(message));
      return;
    }
    inbox.offer(message);
    if (inboxScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(drainInbox);
      } catch (RejectedExecutionException shuttingDown) {
        releaseInbox();
      }
    }
  }

  private void dropped(Message message) {
    try {
      metrics.packetsDropped.increment();
      countDrop(message.skill());
    } finally {
      message.release();
    }
  }

  private void drainInbox() {
    inboxScheduled.set(false); // before polling, so an offer racing with us schedules again
    Message m;
    while ((m = inbox.poll()) != null) {
      inboxBytes.addAndGet(-m.size());
      offerLocal(m);
    }
  }

  private void offerLocal(Message message) {
    if (closed || !skills.contains(message.skill())) {
      // deregistered after it was routed: the deregister's reply is a barrier, nothing follows it
      message.release();
      return;
    }
    machine.offer(message);
    scheduleFlush();
  }

  /** Adds registrations the post office allowed; returns the skills that were new. */
  public List<String> register(Collection<String> wanted) {
    List<String> fresh = new java.util.ArrayList<>();
    for (String s : wanted) {
      if (skills.add(s)) {
        fresh.add(s);
        router.subscribe(s, this);
      }
    }
    return fresh;
  }

  /**
   * Removes registrations. Packets of those skills already in the queue are still delivered (the
   * seed's contract); any still on their way from another event loop are not (see {@link
   * #offerLocal}), so nothing routed around the deregister slips in after its reply.
   *
   * @return how many registrations were removed
   */
  public int deregister(Collection<String> unwanted) {
    int gone = 0;
    for (String s : unwanted) {
      if (skills.remove(s)) {
        router.unsubscribe(s, this);
        gone++;
      }
    }
    return gone;
  }

  /** Whether {@code skill} would be a new registration of this client. */
  public boolean isRegistered(String skill) {
    return skills.contains(skill);
  }

  public int registrationCount() {
    return skills.size();
  }

  public void buffering(boolean on) {
    machine.buffering(on);
    scheduleFlush();
  }

  public void fastpush(boolean on) {
    machine.fastpush(on);
    scheduleFlush();
  }

  public void notices(boolean on) {
    notices = on;
  }

  public void ack() {
    if (machine.inFlight()) {
      long now = System.nanoTime();
      lastAckNanos = now;
      if (inFlightSinceNanos != 0) {
        metrics.ackLatency.recordNanos(now - inFlightSinceNanos);
        inFlightSinceNanos = 0;
      }
    }
    machine.ack();
    scheduleFlush();
  }

  public void get() {
    machine.get();
    scheduleFlush();
  }

  /**
   * Sends a TEXT reply, error or notice. These do not enter the delivery queue, but they count
   * against the client's bounds like data: while the socket is not writable the server stops
   * reading from the client (so a client that never reads cannot make it build replies without
   * end), and a client whose unread output passes its queue's byte bound is disconnected.
   */
  public void reply(String json) {
    if (closed) {
      return;
    }
    connection.text(json);
    if (!connection.isWritable()) {
      connection.hold(Connection.Hold.REPLIES, true);
      if (connection.pendingBytes() > maxQueueBytes) {
        log.warn("client does not read its replies, disconnected id={}", id);
        connection.close(
            WebSocketCloseStatus.POLICY_VIOLATION.code(), "slow consumer: replies not read");
        return;
      }
    }
    scheduleFlush();
  }

  /**
   * The socket became (un)writable: hold packets in the bounded queue while it cannot take more.
   */
  public void writabilityChanged() {
    boolean writable = connection.isWritable();
    if (writable) {
      connection.hold(Connection.Hold.REPLIES, false);
    }
    machine.writable(writable);
    scheduleFlush();
  }

  /** Leaves nothing behind: registrations, queue, kept packet, inbox. On the event loop. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (String s : skills) {
      router.unsubscribe(s, this);
    }
    machine.close();
    connection.discard();
    releaseInbox();
  }

  /** Whether this client receives anything. */
  public boolean receives() {
    return !skills.isEmpty() || machine.queued() > 0 || machine.inFlight();
  }

  private void releaseInbox() {
    Message m;
    while ((m = inbox.poll()) != null) {
      inboxBytes.addAndGet(-m.size());
      m.release();
    }
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(flushTask);
    }
  }

  private void flushNow() {
    flushScheduled = false;
    if (closed) {
      return;
    }
    if (unreportedDrops != null && !unreportedDrops.isEmpty()) {
      unreportedDrops.forEach((skill, n) -> connection.text(Replies.dropped(n, skill)));
      unreportedDrops.clear();
    }
    connection.flush();
  }

  private void countDrop(String skill) {
    metrics.skill(skill).dropped.increment();
    if (notices && skills.contains(skill)) {
      if (unreportedDrops == null) {
        unreportedDrops = new HashMap<>();
      }
      unreportedDrops.merge(skill, 1L, Long::sum);
      scheduleFlush();
    }
  }

  @Override
  public long id() {
    return id;
  }

  public EventLoop eventLoop() {
    return loop;
  }

  public Set<String> skills() {
    return Collections.unmodifiableSet(skills);
  }

  @Override
  public long connectedAtMillis() {
    return connectedAtMillis;
  }

  /** A consistent snapshot, taken on this client's event loop (the admin's read-only view). */
  @Override
  public CompletableFuture<SessionSnapshot> snapshot() {
    CompletableFuture<SessionSnapshot> f = new CompletableFuture<>();
    try {
      loop.execute(() -> f.complete(snapshotNow()));
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  private SessionSnapshot snapshotNow() {
    return new SessionSnapshot(
        id,
        connection.remoteAddress(),
        connectedAtMillis,
        List.copyOf(skills),
        machine.buffering(),
        machine.fastpush(),
        machine.inFlight(),
        machine.queued(),
        machine.queuedBytes(),
        machine.sent(),
        machine.acked(),
        machine.dropped(),
        lastAckNanos == 0 ? -1 : (System.nanoTime() - lastAckNanos) / 1_000_000);
  }

  /** Who this client authenticated as, or null when the server has no auth. */
  @Override
  public Identity identity() {
    return identity;
  }

  public long sent() {
    return machine.sent();
  }

  public long droppedCount() {
    return machine.dropped();
  }

  /** Frames into the connection's burst; the flush task writes and flushes it once. */
  private final class ConnectionOutput implements DeliveryStateMachine.Output<Message> {
    @Override
    public void write(Message message) {
      try {
        metrics.packetsDelivered.increment();
        metrics.bytesOut.add(message.size());
        if (inFlightSinceNanos == 0 && !machine.fastpush()) {
          inFlightSinceNanos = System.nanoTime();
        }
        connection.binary(message.content()); // encoded into this burst's buffer
      } finally {
        message.release();
      }
    }

    @Override
    public Message retain(Message message) {
      return message.retain();
    }

    @Override
    public void release(Message message) {
      message.release();
    }

    @Override
    public int size(Message message) {
      return message.size();
    }

    @Override
    public void dropped(Message message) {
      metrics.packetsDropped.increment();
      countDrop(message.skill()); // the envelope knows its skill: nothing to re-parse
    }

    @Override
    public void disconnect() {
      log.warn("slow consumer disconnected id={} remote={}", id, connection.remoteAddress());
      connection.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), "slow consumer: queue full");
    }
  }
}
