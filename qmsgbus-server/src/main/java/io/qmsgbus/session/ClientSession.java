package io.qmsgbus.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.internal.PlatformDependent;
import io.qmsgbus.auth.Denials;
import io.qmsgbus.auth.Identity;
import io.qmsgbus.auth.SkillAccess;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.protocol.Packet;
import io.qmsgbus.protocol.PacketClassifier;
import io.qmsgbus.protocol.Replies;
import io.qmsgbus.routing.Receiver;
import io.qmsgbus.routing.Router;
import java.util.ArrayList;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected client: its registrations and its {@link DeliveryStateMachine}, bound to the
 * client's channel. Everything runs on the channel's event loop; packets offered from other loops
 * pass through a lock-free inbox drained in one task per burst, and writes are flushed once per
 * burst rather than per packet.
 */
public final class ClientSession implements Receiver {

  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  private final long id;
  private final Channel channel;
  private final EventLoop loop;
  private final Router router;
  private final BusMetrics metrics;
  private final int maxRegistrations;
  private final DeliveryStateMachine<ByteBuf> machine;
  private final Set<String> skills = new LinkedHashSet<>();

  /**
   * Packets offered from other event loops. Small chunks (16 slots, grown as needed) rather than
   * the default 1,024: there is one per client, and most hold nothing most of the time.
   */
  private final Queue<ByteBuf> inbox = PlatformDependent.newMpscQueue(16, 1 << 30);

  private final AtomicBoolean inboxScheduled = new AtomicBoolean();
  private final Runnable drainInbox = this::drainInbox;
  private final Runnable flushTask = this::flushNow;
  private final long connectedAtMillis = System.currentTimeMillis();
  private final PacketClassifier classifier;
  private final QueueBudget budget;
  private final FrameBatch out;

  /** What this client may publish and register for; null when the server has no auth. */
  private final SkillAccess access;

  /**
   * When the packet now in flight was sent (ACK mode), for the send-to-ack histogram; 0 if none.
   */
  private long inFlightSinceNanos;

  private long lastAckNanos;

  private boolean flushScheduled;
  private boolean notices;

  /** Drops not yet reported, by skill (only when the client asked for notices). */
  private Map<String, Long> unreportedDrops;

  private boolean disconnecting;
  private volatile boolean closed;

  /**
   * A session of an authenticated client: {@code identity} (null when the server has no auth)
   * decides which skills it may register for, and, through {@link #access()}, publish to.
   */
  public ClientSession(
      long id,
      Channel channel,
      Router router,
      BusMetrics metrics,
      ServerConfig config,
      PacketClassifier classifier,
      QueueBudget budget,
      Identity identity) {
    this.id = id;
    this.access = identity == null ? null : new SkillAccess(identity);
    this.budget = budget;
    this.classifier = classifier;
    this.channel = channel;
    this.loop = channel.eventLoop();
    this.out = new FrameBatch(channel);
    this.router = router;
    this.metrics = metrics;
    this.maxRegistrations = config.maxRegistrations();
    this.machine =
        new DeliveryStateMachine<>(
            new ChannelOutput(),
            config.maxQueuePackets(),
            config.maxQueueBytes(),
            config.overflowPolicy());
  }

  @Override
  public void offer(ByteBuf packet) {
    if (closed) {
      packet.release();
      return;
    }
    if (loop.inEventLoop()) {
      offerLocal(packet);
      return;
    }
    inbox.offer(packet);
    if (inboxScheduled.compareAndSet(false, true)) {
      try {
        loop.execute(drainInbox);
      } catch (RejectedExecutionException shuttingDown) {
        releaseInbox();
      }
    }
  }

  private void drainInbox() {
    inboxScheduled.set(false); // before polling, so an offer racing with us schedules again
    ByteBuf p;
    while ((p = inbox.poll()) != null) {
      offerLocal(p);
    }
  }

  private void offerLocal(ByteBuf packet) {
    if (closed) {
      packet.release();
      return;
    }
    long before = machine.queuedBytes();
    machine.offer(packet);
    account(before);
    scheduleFlush();
  }

  /** Applies a control packet in the order of PROTOCOL.md section 4's table. */
  public void control(Packet.Control c) {
    if (c.register() != null && !register(c.register(), c.idJson())) {
      return; // rejected whole: nothing in this packet applies
    }
    if (c.deregister() != null) {
      for (String s : c.deregister()) {
        if (skills.remove(s)) {
          router.unsubscribe(s, this);
        }
      }
    }
    long before = machine.queuedBytes();
    if (c.buffering() != null) {
      machine.buffering(c.buffering());
    }
    if (c.fastpush() != null) {
      machine.fastpush(c.fastpush());
    }
    if (c.ack()) {
      if (machine.inFlight()) {
        long now = System.nanoTime();
        lastAckNanos = now;
        if (inFlightSinceNanos != 0) {
          metrics.ackLatency.recordNanos(now - inFlightSinceNanos);
          inFlightSinceNanos = 0;
        }
      }
      machine.ack();
    }
    if (c.get()) {
      machine.get();
    }
    if (c.notices() != null) {
      notices = c.notices();
    }
    account(before);
    if (c.idJson() != null) {
      reply(Replies.ok(c.idJson()));
    }
    scheduleFlush();
  }

  /**
   * Registers for {@code wanted}, all or nothing: a skill this client may not register for, or more
   * registrations than allowed, rejects the lot with an error reply.
   *
   * @return whether the registrations were applied
   */
  private boolean register(List<String> wanted, String idJson) {
    if (access != null) {
      for (String s : wanted) {
        if (!access.mayRegister(s)) {
          metrics.denied.increment();
          log.debug("register denied id={} user={} skill={}", id, access.identity().name(), s);
          reply(Replies.error(idJson, Denials.registerReason(s)));
          return false;
        }
      }
    }
    List<String> fresh = new ArrayList<>();
    for (String s : wanted) {
      if (!skills.contains(s) && !fresh.contains(s)) {
        fresh.add(s);
      }
    }
    if (skills.size() + fresh.size() > maxRegistrations) {
      reply(
          Replies.error(
              idJson, "too many registrations: at most " + maxRegistrations + " per client"));
      return false;
    }
    for (String s : fresh) {
      skills.add(s);
      router.subscribe(s, this);
    }
    return true;
  }

  /** Sends a TEXT reply or error; these never enter the delivery queue. */
  public void reply(String json) {
    out.text(json);
    scheduleFlush();
  }

  /**
   * The socket became (un)writable: hold packets in the bounded queue while it cannot take more.
   */
  public void writabilityChanged() {
    long before = machine.queuedBytes();
    machine.writable(channel.isWritable());
    account(before);
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
    long before = machine.queuedBytes();
    machine.close();
    out.discard();
    account(before);
    budget.forget(channel);
    releaseInbox();
  }

  /** Tells the global budget how this client's queued bytes changed. */
  private void account(long before) {
    long delta = machine.queuedBytes() - before;
    if (delta != 0) {
      budget.changed(delta);
    }
  }

  /** Whether this client receives anything (receivers are never paused: see QueueBudget). */
  public boolean receives() {
    return !skills.isEmpty() || machine.queued() > 0 || machine.inFlight();
  }

  private void releaseInbox() {
    ByteBuf p;
    while ((p = inbox.poll()) != null) {
      p.release();
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
    if (unreportedDrops != null && !unreportedDrops.isEmpty()) {
      unreportedDrops.forEach((skill, n) -> out.text(Replies.dropped(n, skill)));
      unreportedDrops.clear();
    }
    out.writeOut();
    channel.flush();
  }

  public long id() {
    return id;
  }

  /** This client's permissions (loop-confined), or null when the server has no auth. */
  public SkillAccess access() {
    return access;
  }

  /** Who this client authenticated as, or null when the server has no auth. */
  public Identity identity() {
    return access == null ? null : access.identity();
  }

  public Set<String> skills() {
    return Collections.unmodifiableSet(skills);
  }

  public long connectedAtMillis() {
    return connectedAtMillis;
  }

  /** A consistent snapshot, taken on this client's event loop. */
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
        String.valueOf(channel.remoteAddress()),
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

  public DeliveryStateMachine<ByteBuf> machine() {
    return machine;
  }

  /** Encodes into the burst's frame batch; the flush task writes and flushes it once. */
  private final class ChannelOutput implements DeliveryStateMachine.Output<ByteBuf> {
    @Override
    public void write(ByteBuf packet) {
      metrics.packetsDelivered.increment();
      metrics.bytesOut.add(packet.readableBytes());
      if (inFlightSinceNanos == 0 && !machine.fastpush()) {
        inFlightSinceNanos = System.nanoTime();
      }
      out.binary(packet); // encoded into this burst's buffer
      packet.release();
    }

    @Override
    public ByteBuf retain(ByteBuf packet) {
      return packet.retain(); // packets are shared read-only: nobody moves their indices
    }

    @Override
    public void release(ByteBuf packet) {
      packet.release();
    }

    @Override
    public int size(ByteBuf packet) {
      return packet.readableBytes();
    }

    @Override
    public void dropped(ByteBuf packet) {
      metrics.packetsDropped.increment();
      byte[] bytes = ByteBufUtil.getBytes(packet); // the rare path: find the skill to count it by
      if (classifier.classify(bytes, 0, bytes.length) instanceof Packet.Data d) {
        metrics.skill(d.skill()).dropped.increment();
        if (notices) {
          if (unreportedDrops == null) {
            unreportedDrops = new HashMap<>();
          }
          unreportedDrops.merge(d.skill(), 1L, Long::sum);
          scheduleFlush();
        }
      }
    }

    @Override
    public void disconnect() {
      if (!disconnecting) {
        disconnecting = true;
        log.warn("slow consumer disconnected id={} remote={}", id, channel.remoteAddress());
        out.writeOut(); // what was batched goes before the close frame
        channel
            .writeAndFlush(
                new CloseWebSocketFrame(
                    WebSocketCloseStatus.POLICY_VIOLATION, "slow consumer: queue full"))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
