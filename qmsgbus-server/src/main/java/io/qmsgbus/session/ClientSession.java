package io.qmsgbus.session;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.internal.PlatformDependent;
import io.qmsgbus.auth.Identity;
import io.qmsgbus.config.OverflowPolicy;
import io.qmsgbus.message.Message;
import io.qmsgbus.message.Receipt;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.protocol.Replies;
import io.qmsgbus.routing.Group;
import io.qmsgbus.routing.GroupMember;
import io.qmsgbus.routing.Groups;
import io.qmsgbus.routing.Receiver;
import io.qmsgbus.routing.Router;
import io.qmsgbus.skill.SkillName;
import io.qmsgbus.skill.SkillPattern;
import io.qmsgbus.store.SessionStore;
import io.qmsgbus.store.StoredSession;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session: its registrations, its flags and its {@link DeliveryStateMachine}, attached
 * to at most one {@link Connection} at a time. An unnamed session lives and dies with its
 * connection (the seed's behaviour); a named one outlives it for its expiry, queueing what arrives,
 * and resumes on the next connection that names it (see {@link SessionRegistry}).
 *
 * <p>Everything runs on the session's home event loop, which is its connection's: when a session
 * moves to a connection on another loop, the home moves with it (on the old home, so nothing runs
 * on both). Messages offered from other loops pass through a bounded lock-free inbox drained in one
 * task per burst, and writes are flushed once per burst rather than per packet.
 */
public final class ClientSession implements Receiver, GroupMember, SessionView {

  private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

  /** The close code a connection gets when another connection takes its session over. */
  public static final int TAKEN_OVER = 4000;

  /**
   * Close code for a connection whose session an operator deleted ({@code DELETE
   * /api/sessions/NAME}).
   */
  public static final int DELETED = 4001;

  private final long id;
  private final String name;
  private final Identity identity;
  private final String owner;
  private final Router router;
  private final BusMetrics metrics;
  private final SessionStore store;
  private final long maxQueueBytes;
  private final DeliveryStateMachine<Message> machine;
  private final Set<String> skills = new LinkedHashSet<>();

  /** The receiver groups it is a member of, by skill and name (on the loop). */
  private final Map<String, Group> groups = new HashMap<>(0);

  /** Packets a group gave it that it has not yet acked, sent or dropped (on the loop). */
  private final Map<Message, Group> fromGroup = new IdentityHashMap<>(0);

  private Groups groupRegistry;

  /** Packets whose publisher asked for a receipt and whose fate this session has not told. */
  private final Map<Message, Boolean> reporting = new IdentityHashMap<>(0);

  /** The wildcard ones among {@link #skills}, parsed (empty for most clients). */
  private final List<SkillPattern> patterns = new ArrayList<>(0);

  private final Runnable ended;

  /** The loop everything of this session runs on; changes only on the old home loop itself. */
  private volatile EventLoop loop;

  /** The connection delivering to the client now, or null while detached. */
  private Connection connection;

  /** {@code connection != null}, readable from other threads (the admin's counts). */
  private volatile boolean attached;

  /** Whether packets for it count as stored for a publisher's confirm (named, expiry > 0). */
  private volatile boolean durable;

  private long expirySeconds;
  private long detachedAtMillis;

  /** Bumped on every attach and detach, so an expiry timer can tell it is stale. */
  private long epoch;

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
  private long connectedAtMillis = System.currentTimeMillis();

  /**
   * When the packet now in flight was sent (ACK mode), for the send-to-ack histogram; 0 if none.
   */
  private long inFlightSinceNanos;

  private long lastAckNanos;
  private boolean flushScheduled;
  private boolean notices;

  /** Told when the client detaches, for a session a shared store keeps; null on one node. */
  private Consumer<ClientSession> shared;

  /** An ack's removal is on its way to the store; the next packet waits for it. */
  private boolean ackSyncing;

  /** Drops not yet reported, by skill (only when the client asked for notices). */
  private Map<String, Long> unreportedDrops;

  private volatile boolean closed;

  /** Settings shared by every session of a server. */
  public record Limits(int maxQueuePackets, long maxQueueBytes, OverflowPolicy overflowPolicy) {}

  /**
   * @param name the durable session's name, or null for one that ends with its connection
   * @param identity who the client authenticated as, or null when the server has no auth (or the
   *     session was restored from the store)
   * @param owner the name of the identity a named session belongs to, or null without auth
   * @param ended told once, on the home loop, when the session has ended
   */
  ClientSession(
      long id,
      String name,
      Identity identity,
      String owner,
      EventLoop home,
      Router router,
      BusMetrics metrics,
      SessionStore store,
      Limits limits,
      long expirySeconds,
      Runnable ended) {
    this.id = id;
    this.name = name;
    this.identity = identity;
    this.owner = owner;
    this.loop = home;
    this.router = router;
    this.metrics = metrics;
    this.store = store;
    this.maxQueueBytes = limits.maxQueueBytes();
    this.ended = ended;
    this.machine =
        new DeliveryStateMachine<>(
            new ConnectionOutput(),
            limits.maxQueuePackets(),
            limits.maxQueueBytes(),
            limits.overflowPolicy());
    this.expirySeconds = name == null ? 0 : expirySeconds;
    this.durable = this.expirySeconds > 0;
    this.detachedAtMillis = System.currentTimeMillis();
  }

  @Override
  public void offer(Message message) {
    if (closed) {
      message.release();
      return;
    }
    Receipt receipt = message.receipt();
    if (receipt != null) {
      receipt.expect(); // while routing: before the publisher lets go of its own count
    }
    if (loop.inEventLoop()) {
      offerLocal(message);
      return;
    }
    if (inboxBytes.addAndGet(message.size()) > maxQueueBytes) {
      inboxBytes.addAndGet(-message.size()); // over the client's bound before it even queues
      execute(() -> dropped(message));
      return;
    }
    inbox.offer(message);
    if (inboxScheduled.compareAndSet(false, true)) {
      execute(drainInbox);
    }
  }

  private void dropped(Message message) {
    try {
      metrics.packetsDropped.increment();
      countDrop(message.skill());
      settle(message.receipt(), false);
      if (message.delivery() != null) {
        message.delivery().dropped();
      }
    } finally {
      message.release();
    }
  }

  private void drainInbox() {
    if (!loop.inEventLoop()) { // scheduled before the session moved: follow it
      execute(drainInbox);
      return;
    }
    inboxScheduled.set(false); // before polling, so an offer racing with us schedules again
    Message m;
    while ((m = inbox.poll()) != null) {
      inboxBytes.addAndGet(-m.size());
      offerLocal(m);
    }
  }

  private void offerLocal(Message message) {
    Receipt receipt = message.receipt();
    if (closed || !wants(message.skill())) {
      // deregistered after it was routed: the deregister's reply is a barrier, nothing follows it
      if (message.delivery() != null) {
        message.delivery().gone();
      }
      message.release();
      if (receipt != null) {
        receipt.done(); // it no longer wants the message: nothing to confirm on its behalf
      }
      return;
    }
    boolean stored = durable && store.persistent();
    if (stored) {
      store.enqueue(name, message); // before the machine: a fast-push send removes it at once
    }
    track(message);
    boolean taken = machine.offer(message);
    if (receipt != null) {
      if (taken && stored) {
        store.whenDurable(receipt::done);
      } else {
        settle(receipt, taken);
      }
    }
    scheduleFlush();
  }

  /**
   * This session's word on a confirm: only a durable session's drop fails it (the confirm says
   * "stored for every durable receiver"; an ephemeral receiver was never a promise).
   */
  private void settle(Receipt receipt, boolean taken) {
    if (receipt == null) {
      return;
    }
    if (taken || !durable) {
      receipt.done();
    } else {
      receipt.fail("dropped by a full queue");
    }
  }

  /** Adds registrations the post office allowed; returns the skills that were new. */
  public List<String> register(Collection<String> wanted) {
    List<String> fresh = new ArrayList<>();
    for (String s : wanted) {
      if (skills.add(s)) {
        fresh.add(s);
        added(s);
        router.subscribe(s, this);
      }
    }
    if (!fresh.isEmpty()) {
      save();
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
        removed(s);
        router.unsubscribe(s, this);
        gone++;
      }
    }
    if (gone > 0) {
      save();
    }
    return gone;
  }

  /**
   * Completes once registrations just added are in force wherever this session's router shares them
   * (at once on one node; in a cluster, once Redis has them).
   */
  public java.util.concurrent.CompletionStage<Void> ready(Collection<String> added) {
    return router.ready(added);
  }

  /** Whether a packet of {@code name} is for this client: a registration names or matches it. */
  private boolean wants(String name) {
    if (skills.contains(name)) {
      return true;
    }
    for (SkillPattern p : patterns) {
      if (p.matches(name)) {
        return true;
      }
    }
    return false;
  }

  private void added(String skill) {
    if (SkillName.isPattern(skill)) {
      patterns.add(SkillPattern.parse(skill));
    }
  }

  private void removed(String skill) {
    if (SkillName.isPattern(skill)) {
      patterns.remove(SkillPattern.parse(skill));
    }
  }

  /** Whether {@code skill} would be a new registration of this client. */
  public boolean isRegistered(String skill) {
    return skills.contains(skill);
  }

  public int registrationCount() {
    return skills.size() + groups.size();
  }

  /**
   * Joins receiver group {@code name} of each of {@code wanted} (the post office allowed it);
   * returns how many memberships were new. On the loop.
   */
  public int joinGroups(Groups registry, Collection<String> wanted, String name) {
    groupRegistry = registry;
    int added = 0;
    for (String skill : wanted) {
      String key = skill + '\u0000' + name;
      if (!groups.containsKey(key)) {
        groups.put(key, registry.join(skill, name, this));
        added++;
      }
    }
    return added;
  }

  /**
   * Leaves group {@code name} of each of {@code unwanted}; a group packet it already holds is still
   * delivered (as for a deregister). Returns how many memberships went. On the loop.
   */
  public int leaveGroups(Collection<String> unwanted, String name) {
    int gone = 0;
    for (String skill : unwanted) {
      Group g = groups.remove(skill + '\u0000' + name);
      if (g != null) {
        groupRegistry.leave(g, this, false);
        gone++;
      }
    }
    return gone;
  }

  /** Whether {@code skill}'s group {@code name} has this member. */
  public boolean inGroup(String skill, String name) {
    return groups.containsKey(skill + '\u0000' + name);
  }

  @Override
  public void takeFromGroup(Message message, Group group) {
    execute(
        () -> {
          if (closed) { // ended: the group took its own copy back when this member left
            message.release();
            return;
          }
          if (!groups.containsValue(group)) {
            group.offer(message); // it deregistered meanwhile: the packet goes to another member
            return;
          }
          fromGroup.put(message, group);
          track(message);
          machine.offer(message); // a drop on arrival comes back through dropped(): done
          scheduleFlush();
        },
        message::release);
  }

  /** Before the machine sees it: a fast-push send or a drop reports at once. */
  private void track(Message message) {
    if (message.delivery() != null) {
      reporting.put(message, Boolean.TRUE);
    }
  }

  /** The fate of a packet a receipt waits for: told once. */
  private void fate(Message message, boolean acked) {
    if (reporting.isEmpty() || reporting.remove(message) == null) {
      return;
    }
    if (acked) {
      message.delivery().acked();
    } else {
      message.delivery().dropped();
    }
  }

  /**
   * The session goes: what it held and never delivered is gone for the receipts waiting on it
   * (packets from a group go back to the group, whose next member will tell).
   */
  private void reportGone() {
    for (Message m : reporting.keySet()) {
      if (!fromGroup.containsKey(m)) {
        m.delivery().gone();
      }
    }
    reporting.clear();
  }

  /** Leaves every group, handing back what it holds and will never deliver. */
  private void leaveAllGroups() {
    for (Group g : groups.values()) {
      groupRegistry.leave(g, this, true);
    }
    groups.clear();
    fromGroup.clear();
  }

  /** A packet from a group is done with: the group may give this member the next. */
  private boolean groupDone(Message message) {
    if (fromGroup.isEmpty()) {
      return false;
    }
    Group g = fromGroup.remove(message);
    if (g == null) {
      return false;
    }
    g.done(this, message);
    return true;
  }

  public void buffering(boolean on) {
    machine.buffering(on);
    save();
    scheduleFlush();
  }

  public void fastpush(boolean on) {
    machine.fastpush(on);
    save();
    scheduleFlush();
  }

  public void notices(boolean on) {
    notices = on;
    save();
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
    if (machine.inFlight() && !machine.fastpush() && durable && store.persistent()) {
      // the ack's removal is written (handed to the OS) before the next packet goes: a kill -9
      // then repeats at most the one packet in flight, never one already acked. Waiting for the
      // sync as well would pace ACK mode by the disk (10 packets/s under a 100 ms interval); a
      // power loss may therefore repeat an acked packet, but never loses one.
      ackSyncing = true;
      machine.writable(false);
      machine.ack();
      store.whenWritten(() -> execute(this::ackSynced));
      return;
    }
    machine.ack();
    scheduleFlush();
  }

  private void ackSynced() {
    if (!loop.inEventLoop()) {
      execute(this::ackSynced);
      return;
    }
    ackSyncing = false;
    Connection c = connection;
    if (!closed && c != null) {
      machine.writable(c.isWritable());
      scheduleFlush();
    }
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
    Connection c = connection;
    if (closed || c == null) {
      return;
    }
    c.text(json);
    if (!c.isWritable()) {
      c.hold(Connection.Hold.REPLIES, true);
      if (c.pendingBytes() > maxQueueBytes) {
        log.warn("client does not read its replies, disconnected id={}", id);
        c.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), "slow consumer: replies not read");
        return;
      }
    }
    scheduleFlush();
  }

  /**
   * The socket became (un)writable: hold packets in the bounded queue while it cannot take more.
   */
  public void writabilityChanged(Connection from) {
    if (from != connection) {
      return;
    }
    boolean writable = from.isWritable();
    if (writable) {
      from.hold(Connection.Hold.REPLIES, false);
    }
    machine.writable(writable && !ackSyncing);
    scheduleFlush();
  }

  /**
   * Attaches {@code c}, which must not be attached elsewhere: the session moves to {@code c}'s
   * loop, any connection it had is closed as taken over, and delivery resumes there (the unacked
   * packet first). {@code done} runs on {@code c}'s loop once attached, with false if the session
   * had ended meanwhile (then the caller starts a new one).
   *
   * @param resumed whether to tell a client that asked for notices that its session was resumed
   */
  void attach(Connection c, long expiry, boolean resumed, Consumer<Boolean> done) {
    EventLoop home = loop;
    if (!home.inEventLoop()) {
      execute(() -> attach(c, expiry, resumed, done), () -> done.accept(false));
      return;
    }
    if (closed) {
      c.eventLoop().execute(() -> done.accept(false));
      return;
    }
    Connection old = connection;
    if (old != null) {
      log.info("session taken over name={} id={} old={}", name, id, old.remoteAddress());
      release(old);
      old.close(TAKEN_OVER, "session taken over");
    }
    epoch++;
    EventLoop target = c.eventLoop();
    if (target == home) {
      attachHere(c, expiry, resumed);
      done.accept(true);
      return;
    }
    loop = target; // from here on every task of this session runs on the new home
    target.execute(
        () -> {
          if (closed) {
            done.accept(false);
            return;
          }
          attachHere(c, expiry, resumed);
          done.accept(true);
        });
  }

  private void attachHere(Connection c, long expiry, boolean resumed) {
    connection = c;
    attached = true;
    connectedAtMillis = System.currentTimeMillis();
    detachedAtMillis = 0;
    if (name != null) {
      expirySeconds = expiry;
      durable = expiry > 0;
    }
    if (resumed && notices) {
      int waiting = machine.queued() + (machine.unacked() != null ? 1 : 0);
      c.text(Replies.resumed(name, waiting));
    }
    inFlightSinceNanos = 0;
    machine.resume(c.isWritable() && !ackSyncing);
    groups.values().forEach(g -> g.paused(this, false));
    save();
    scheduleFlush();
  }

  /**
   * The connection went. An unnamed session (or one with expiry 0) ends; a named one keeps its
   * registrations and queue until it expires or a client attaches again.
   */
  public void detach(Connection c) {
    if (!loop.inEventLoop()) {
      execute(() -> detach(c));
      return;
    }
    if (closed || connection != c) {
      return; // taken over already: the new connection is not this one's to detach
    }
    release(c);
    if (!durable) {
      end();
      return;
    }
    epoch++;
    detachedAtMillis = System.currentTimeMillis();
    groups.values().forEach(g -> g.paused(this, true)); // nothing new for a client that is away
    save();
    if (shared != null) {
      shared.accept(this); // the shared store keeps it from here on; this node lets it go
      return;
    }
    scheduleExpiry(expirySeconds * 1000);
  }

  /**
   * Marks this session as kept in a store shared by several nodes: when its client detaches, {@code
   * released} runs (on the loop) instead of the local expiry timer.
   */
  void sharedBy(Consumer<ClientSession> released) {
    this.shared = released;
  }

  /**
   * Frees this session on this node and keeps its stored state: its client detached (the shared
   * store keeps it), or another node took it (then its connection is closed with {@code 4000}).
   * Registrations stay in force where they are kept (the cluster's index), so nothing is
   * unsubscribed. On the home loop.
   */
  void unload(boolean takenOver) {
    if (closed) {
      return;
    }
    Connection c = connection;
    if (c != null) {
      release(c);
      if (takenOver) {
        log.info("session taken over on another node name={} id={}", name, id);
        c.close(TAKEN_OVER, "session taken over");
      }
    }
    closed = true;
    reportGone();
    leaveAllGroups(); // before the machine lets its references go
    machine.close();
    releaseInbox();
    ended.run();
  }

  /** Lets {@code c} go: its batched output is dropped, the machine waits for the next one. */
  private void release(Connection c) {
    connection = null;
    attached = false;
    c.discard();
    machine.writable(false);
    inFlightSinceNanos = 0;
  }

  void scheduleExpiry(long afterMillis) {
    long at = epoch;
    try {
      loop.schedule(() -> expireIf(at), Math.max(0, afterMillis), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      // the server is stopping; a stored session expires by its clock at the next start
    }
  }

  private void expireIf(long at) {
    if (!loop.inEventLoop()) {
      execute(() -> expireIf(at));
      return;
    }
    if (closed || at != epoch || connection != null) {
      return; // attached again since
    }
    log.info("session expired name={} id={} queued={}", name, id, machine.queued());
    end();
  }

  /**
   * Ends the session for good: registrations, queue, kept and in-flight packet, inbox and stored
   * state go, and its connection (if any) is closed with {@code code}. On the home loop.
   */
  void end(int code, String reason) {
    if (!loop.inEventLoop()) {
      execute(() -> end(code, reason));
      return;
    }
    Connection c = connection;
    if (c != null && !closed) {
      release(c);
      c.close(code, reason);
    }
    end();
  }

  /**
   * Ends this session without touching {@code c}, which another session now writes to: the unnamed
   * session a connection had before its first packet named a durable one.
   */
  public void endHandingOver(Connection c) {
    if (connection == c) {
      connection = null;
      attached = false;
    }
    end();
  }

  /** Leaves nothing behind: registrations, queue, kept packet, inbox. On the event loop. */
  public void end() {
    if (closed) {
      return;
    }
    closed = true;
    for (String s : skills) {
      router.unsubscribe(s, this);
    }
    reportGone();
    leaveAllGroups(); // before the machine lets its references go
    machine.close();
    if (connection != null) {
      connection.discard();
    }
    releaseInbox();
    if (name != null && store.persistent()) {
      store.deleteSession(name);
    }
    ended.run();
  }

  /**
   * The server is stopping: frees what this session holds in memory, keeping its stored state for
   * the next start. On the home loop.
   */
  void dispose() {
    if (closed) {
      return;
    }
    closed = true;
    for (String s : skills) {
      router.unsubscribe(s, this);
    }
    reportGone();
    leaveAllGroups(); // before the machine lets its references go
    machine.close();
    if (connection != null) {
      connection.discard();
    }
    releaseInbox();
  }

  /** Whether this client receives anything. */
  public boolean receives() {
    return !skills.isEmpty() || machine.queued() > 0 || machine.inFlight();
  }

  /** Puts a message recovered from the store back into the queue (at start, before any client). */
  void restore(Message message) {
    machine.offer(message);
  }

  /** Restores flags recovered from the store. */
  void restoreFlags(boolean buffering, boolean fastpush, boolean notices) {
    machine.buffering(buffering);
    machine.fastpush(fastpush);
    this.notices = notices;
  }

  /** Restores registrations recovered from the store. */
  void restoreSkills(Collection<String> recovered) {
    for (String s : recovered) {
      if (skills.add(s)) {
        added(s);
        router.subscribe(s, this);
      }
    }
  }

  void detachedSince(long millis) {
    detachedAtMillis = millis;
    machine.writable(false);
  }

  private void save() {
    if (name != null && durable && store.persistent() && !closed) {
      store.saveSession(
          new StoredSession(
              name,
              owner,
              List.copyOf(skills),
              machine.buffering(),
              machine.fastpush(),
              notices,
              expirySeconds,
              detachedAtMillis));
    }
  }

  private void releaseInbox() {
    Message m;
    while ((m = inbox.poll()) != null) {
      inboxBytes.addAndGet(-m.size());
      Receipt receipt = m.receipt();
      if (m.delivery() != null) {
        m.delivery().gone();
      }
      m.release();
      if (receipt != null) {
        receipt.done(); // the session is gone: it holds no confirm up
      }
    }
  }

  private void execute(Runnable task) {
    execute(task, null);
  }

  private void execute(Runnable task, Runnable ifRejected) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException shuttingDown) {
      releaseInbox();
      if (ifRejected != null) {
        ifRejected.run();
      }
    }
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(flushTask);
    }
  }

  /** Writes out the batch now (drop notices included), not waiting for the flush task. */
  public void flushOut() {
    if (loop.inEventLoop()) {
      flushNow(); // a flush task already queued finds nothing more to write
    }
  }

  private void flushNow() {
    if (!loop.inEventLoop()) { // scheduled before the session moved
      execute(flushTask);
      return;
    }
    flushScheduled = false;
    Connection c = connection;
    if (closed || c == null) {
      return;
    }
    if (unreportedDrops != null && !unreportedDrops.isEmpty()) {
      unreportedDrops.forEach((skill, n) -> c.text(Replies.dropped(n, skill)));
      unreportedDrops.clear();
    }
    c.flush();
  }

  /** Packets from another node were lost: a client that asked for notices hears of it. */
  @Override
  public void gap(String skill, String node, long missed) {
    execute(
        () -> {
          if (notices && wants(skill)) {
            reply(Replies.gap(missed, skill, node));
            flushOut();
          }
        });
  }

  private void countDrop(String skill) {
    metrics.skill(skill).dropped.increment();
    if (notices && wants(skill)) {
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

  /** The durable session's name, or null for one that ends with its connection. */
  @Override
  public String name() {
    return name;
  }

  /** How long the session is kept once its client detached (0: it ends with the connection). */
  long expirySeconds() {
    return expirySeconds;
  }

  /** Whether packets for this session count as stored for publisher confirms. */
  public boolean durable() {
    return durable;
  }

  public EventLoop eventLoop() {
    return loop;
  }

  /** Whether {@code c} is the connection this session delivers to now. On the home loop. */
  public boolean attachedTo(Connection c) {
    return connection == c && !closed;
  }

  public boolean closed() {
    return closed;
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
      loop.execute(
          () -> {
            if (!loop.inEventLoop()) {
              f.complete(null);
              return;
            }
            f.complete(snapshotNow());
          });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(e);
    }
    return f.thenCompose(s -> s != null ? CompletableFuture.completedFuture(s) : snapshot());
  }

  private SessionSnapshot snapshotNow() {
    Connection c = connection;
    return new SessionSnapshot(
        id,
        c == null ? "detached" : c.remoteAddress(),
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
        lastAckNanos == 0 ? -1 : (System.nanoTime() - lastAckNanos) / 1_000_000,
        name,
        owner,
        c != null,
        c != null || name == null
            ? -1
            : Math.max(0, detachedAtMillis + expirySeconds * 1000 - System.currentTimeMillis()));
  }

  /** Whether a connection is attached now (read from any thread; for counts). */
  public boolean attached() {
    return attached;
  }

  /** The name of the identity this session belongs to, or null without auth. */
  public String owner() {
    return owner;
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

  public int queued() {
    return machine.queued();
  }

  /** Frames into the connection's burst; the flush task writes and flushes it once. */
  private final class ConnectionOutput implements DeliveryStateMachine.Output<Message> {
    @Override
    public void write(Message message) {
      try {
        Connection c = connection;
        if (c == null) {
          return; // not reached: the machine sends nothing while detached (not writable)
        }
        metrics.packetsDelivered.increment();
        metrics.bytesOut.add(message.size());
        if (inFlightSinceNanos == 0 && !machine.fastpush()) {
          inFlightSinceNanos = System.nanoTime();
        }
        c.binary(message.content()); // encoded into this burst's buffer
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
      fate(message, false);
      if (!groupDone(message)) {
        forget(message);
      }
    }

    @Override
    public void acked(Message message) {
      fate(message, true);
      if (!groupDone(message)) {
        forget(message);
      }
    }

    @Override
    public void delivered(Message message) {
      fate(message, true);
      if (!groupDone(message)) {
        forget(message);
      }
    }

    private void forget(Message message) {
      if (durable && store.persistent()) {
        store.remove(name, message.storeKey());
      }
    }

    @Override
    public void disconnect() {
      Connection c = connection;
      log.warn(
          "slow consumer disconnected id={} remote={}",
          id,
          c == null ? "detached" : c.remoteAddress());
      if (c != null) {
        c.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), "slow consumer: queue full");
      }
    }
  }
}
