package io.qmsgbus.postoffice;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.qmsgbus.auth.Identity;
import io.qmsgbus.auth.Permissions;
import io.qmsgbus.message.DeliveryReceipt;
import io.qmsgbus.message.Receipt;
import io.qmsgbus.protocol.Packet;
import io.qmsgbus.protocol.Replies;
import io.qmsgbus.session.ClientSession;
import io.qmsgbus.session.Connection;
import io.qmsgbus.skill.SkillName;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's desk at the {@link PostOffice}: its rate limits, permissions and sequence
 * counter, whether it asked for confirms, and the one entry point for every packet it sends.
 * Confined to its event loop. While its session is being attached (named on the URL or in the first
 * packet) what it sends waits here, in order, and the connection is not read.
 */
public final class Sender {

  private static final Logger log = LoggerFactory.getLogger(Sender.class);

  private static final long SECOND = 1_000_000_000L;

  /** Packets that may arrive, already decoded, while the session attaches. */
  private static final int MAX_WAITING = 64;

  ClientSession session;
  final Identity identity;
  final Connection connection;
  final Permissions permissions;
  private final PostOffice office;
  private final RateLimiter dataRate;
  private final RateLimiter controlRate;

  /** Its private inbox skill, once it asked for one. */
  String inbox;

  /** Data packets this connection has published, for the messages' sequence numbers. */
  long sequence;

  private long refusedSinceNotice;
  private long lastRefusalNoticeNanos;
  private boolean confirms;
  private long packets;

  /** Packets that came while attaching (null when not attaching), replayed once attached. */
  private ArrayDeque<Waiting> waiting;

  private record Waiting(Packet packet, ByteBuf content) {}

  Sender(
      PostOffice office,
      ClientSession session,
      Identity identity,
      Connection connection,
      Permissions p) {
    this.office = office;
    this.session = session;
    this.identity = identity;
    this.connection = connection;
    this.permissions = p;
    long now = System.nanoTime();
    int data = office.config().maxPacketsPerSecond();
    int controls = office.config().maxControlsPerSecond();
    this.dataRate = data > 0 ? new RateLimiter(data, now) : null;
    this.controlRate = controls > 0 ? new RateLimiter(controls, now) : null;
  }

  /** The session this connection delivers to, or null while it is being attached. */
  public ClientSession session() {
    return session;
  }

  /** Starts attaching the named session; {@code rest} is the packet's other fields, if any. */
  void attach(Packet.SessionRequest request, Packet.Control rest) {
    waiting = new ArrayDeque<>();
    connection.hold(Connection.Hold.ATTACH, true);
    ClientSession previous = session;
    office.attach(
        this, request, (attached, refused) -> attached(previous, attached, refused, rest));
  }

  private void attached(
      ClientSession previous, ClientSession attached, String refused, Packet.Control rest) {
    if (!connection.isOpen()) { // it went while we attached
      if (attached != null) {
        attached.detach(connection);
      }
      releaseWaiting();
      return;
    }
    if (refused != null) {
      if (previous == null) { // named on the URL: there is no session to go on with
        releaseWaiting();
        connection.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), refused);
        return;
      }
      reply(Replies.error(rest == null ? null : rest.idJson(), refused));
      rest = null; // refused whole: nothing in that packet applies
    } else {
      session = attached;
      if (previous != null) {
        previous.endHandingOver(
            connection); // the connection's unnamed session: empty, it saw no packet before
      }
    }
    ArrayDeque<Waiting> replay = waiting;
    waiting = null;
    connection.hold(Connection.Hold.ATTACH, false);
    if (rest != null) {
      control(rest);
    }
    replay(replay);
  }

  /**
   * Dispatches what waited, in order. A packet among them may make the connection wait again (a
   * register in a cluster): the ones after it go back to waiting, still in order.
   */
  private void replay(ArrayDeque<Waiting> replay) {
    Waiting w;
    while ((w = replay.poll()) != null) {
      if (waiting != null) { // waiting again: keep the rest, ahead of anything newer
        waiting.add(w);
        continue;
      }
      try {
        dispatch(w.packet(), w.content());
      } finally {
        if (w.content() != null) {
          w.content().release();
        }
      }
    }
  }

  /** Hands a packet to {@link #publish}, {@link #control} or {@link #badInput}. */
  public void dispatch(Packet packet, ByteBuf content) {
    if (packet instanceof Packet.Data data) {
      publish(data, content);
    } else if (packet instanceof Packet.Control control) {
      control(control);
    } else if (packet instanceof Packet.BadInput bad) {
      badInput(bad);
    }
  }

  /** Whether the packet waits for the session to attach (then it was taken). */
  private boolean waits(Packet packet, ByteBuf content) {
    if (waiting == null) {
      return false;
    }
    if (waiting.size() >= MAX_WAITING) {
      connection.close(
          WebSocketCloseStatus.POLICY_VIOLATION.code(), "too many packets before the session");
      return true;
    }
    waiting.add(new Waiting(packet, content == null ? null : content.retain()));
    return true;
  }

  private void releaseWaiting() {
    if (waiting == null) {
      return;
    }
    Waiting w;
    while ((w = waiting.poll()) != null) {
      if (w.content() != null) {
        w.content().release();
      }
    }
    waiting = null;
  }

  /** A data packet: rate limit, permission, budget, then routing. */
  public void publish(Packet.Data data, ByteBuf content) {
    if (!connection.isOpen() || waits(data, content)) {
      return; // a connection whose session was taken over says nothing more
    }
    packets++;
    String idJson = data.idJson(); // read by the classifier's one pass: nothing is re-parsed
    boolean confirm = confirms && idJson != null;
    if (dataRate != null && !dataRate.tryTake(System.nanoTime())) {
      office.metrics().rateLimited.increment();
      String why =
          "rate limit: at most " + office.config().maxPacketsPerSecond() + " packets per second";
      if (confirm) {
        reply(Replies.error(idJson, why)); // it asked to hear about each one
      } else {
        refused(why);
      }
      return;
    }
    if (!SkillName.isInbox(data.skill()) && !permissions.mayPublish(data.skill())) {
      office.metrics().denied.increment();
      log.debug(
          "publish denied id={} user={} skill={}", session.id(), permissions.who(), data.skill());
      reply(Replies.error(idJson, PostOffice.publishDenied(data.skill())));
      return;
    }
    answers = confirm && data.receipt() ? new Answers() : null;
    Receipt receipt = confirm ? receipt(idJson, answers) : null;
    if (office.budgetSpent()) {
      if (session.receives()) {
        // its ACKs arrive on this socket, so it cannot be paused: refuse instead
        office.metrics().rateLimited.increment();
        String why = "server busy: the queue budget is spent";
        if (confirm) {
          reply(Replies.error(idJson, why));
        } else {
          refused(why);
        }
        return;
      }
      office.publish(this, data, idJson, content, receipt);
      office.budget().pause(connection);
      return;
    }
    office.publish(this, data, idJson, content, receipt);
  }

  /**
   * A delivery receipt for the packet with {@code idJson}: answered on this connection when every
   * receiver has reported, or at the timeout.
   */
  DeliveryReceipt deliveryReceipt(String idJson) {
    Answers a = answers;
    DeliveryReceipt r =
        new DeliveryReceipt(
            f -> {
              String json =
                  Replies.receipt(
                      idJson, f.receivers(), f.acked(), f.dropped(), f.gone(), f.pending());
              try {
                connection
                    .eventLoop()
                    .execute(
                        () -> {
                          if (a != null && !a.confirmed) {
                            a.receipt = json; // sent right after the confirm
                          } else if (connection.isOpen()) {
                            reply(json);
                          }
                        });
              } catch (RejectedExecutionException shuttingDown) {
                // the server is stopping
              }
            });
    try {
      connection
          .eventLoop()
          .schedule(r::timedOut, office.config().receiptTimeoutMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      // the server is stopping
    }
    return r;
  }

  /** A request (a packet with reply and id) reached no receiver anywhere: the client hears it. */
  void noReceivers(String idJson, String skill) {
    try {
      connection
          .eventLoop()
          .execute(
              () -> {
                if (connection.isOpen()) {
                  reply(Replies.error(idJson, "no receivers for '" + skill + "'"));
                }
              });
    } catch (RejectedExecutionException shuttingDown) {
      // the server is stopping
    }
  }

  /** A confirm for one packet: answered on this connection's loop, if it is still there. */
  private Receipt receipt(String idJson, Answers a) {
    return new Receipt(
        failure -> {
          try {
            connection.eventLoop().execute(() -> confirmed(idJson, failure, a));
          } catch (RejectedExecutionException shuttingDown) {
            // the server is stopping: the client hears nothing, as for a lost connection
          }
        });
  }

  private void confirmed(String idJson, String failure, Answers a) {
    if (connection.isOpen()) {
      reply(failure == null ? Replies.ok(idJson) : Replies.error(idJson, failure));
    }
    if (a != null) {
      a.confirmed = true;
      if (a.receipt != null && connection.isOpen()) {
        reply(a.receipt); // it was known first: it follows its confirm
      }
    }
  }

  /** A packet's two answers, confirm then receipt, in that order whichever is known first. */
  private static final class Answers {
    boolean confirmed; // on the connection's loop
    String receipt;
  }

  /** The answers of the packet being published now (read by {@link #deliveryReceipt}). */
  private Answers answers;

  /** A reply on this connection: through its session, or straight out while it has none. */
  private void reply(String json) {
    if (session != null && session.attachedTo(connection)) {
      session.reply(json);
    } else if (connection.isOpen()) {
      connection.text(json);
      connection.flush();
    }
  }

  /** A control packet, applied in the order of PROTOCOL.md section 4's table. */
  public void control(Packet.Control c) {
    if (!connection.isOpen() || waits(c, null)) {
      return;
    }
    office.metrics().controls.increment();
    packets++;
    if (c.session() != null) {
      if (packets > 1 || session == null || session.name() != null) {
        reply(
            Replies.error(
                c.idJson(),
                "a session is named on the URL or in the connection's first packet; not"
                    + " applied"));
        return;
      }
      attach(c.session(), withoutSession(c));
      return;
    }
    boolean bareAck = isBareAck(c);
    if (!bareAck && controlRate != null && !controlRate.tryTake(System.nanoTime())) {
      office.metrics().rateLimited.increment();
      reply(
          Replies.error(
              c.idJson(),
              "rate limit: at most "
                  + office.config().maxControlsPerSecond()
                  + " control packets per second; not applied"));
      return;
    }
    if (c.inbox()) {
      reply(Replies.inbox(c.idJson(), office.inbox(this)));
      return; // an inbox request is answered on its own (other keys in it are not applied)
    }
    if (c.group() != null) {
      if (c.register() != null) {
        String error = office.joinGroups(this, c.register(), c.group());
        if (error != null) {
          reply(Replies.error(c.idJson(), error));
          return;
        }
      }
      if (c.deregister() != null) {
        office.leaveGroups(this, c.deregister(), c.group());
      }
      applyAfterRegister(withoutRegistrations(c));
      return;
    }
    if (c.register() != null) {
      PostOffice.Registration r = office.register(this, c.register());
      if (r.error() != null) {
        reply(Replies.error(c.idJson(), r.error()));
        return; // rejected whole: nothing in this packet applies
      }
      CompletableFuture<Void> ready = r.ready() == null ? null : r.ready().toCompletableFuture();
      if (ready != null && !ready.isDone()) {
        awaitSubscription(ready, withoutRegister(c));
        return;
      }
    }
    applyAfterRegister(c);
  }

  /**
   * The cluster is subscribing to new skills: the rest of the packet, its reply and whatever the
   * client sends next wait (in order, the connection not read) until Redis confirms, so an ok means
   * packets published on any node will arrive.
   */
  private void awaitSubscription(CompletableFuture<Void> ready, Packet.Control rest) {
    waiting = new ArrayDeque<>();
    connection.hold(Connection.Hold.SUBSCRIBE, true);
    ready.whenComplete(
        (v, e) -> {
          try {
            connection.eventLoop().execute(() -> subscribed(rest));
          } catch (RejectedExecutionException shuttingDown) {
            // the server is stopping: the connection goes with it
          }
        });
  }

  private void subscribed(Packet.Control rest) {
    ArrayDeque<Waiting> replay = waiting;
    waiting = null;
    connection.hold(Connection.Hold.SUBSCRIBE, false);
    if (!connection.isOpen()) {
      waiting = replay;
      releaseWaiting();
      return;
    }
    applyAfterRegister(rest);
    replay(replay);
  }

  /** The fields of a control packet that follow its register, then its reply. */
  private void applyAfterRegister(Packet.Control c) {
    if (c.deregister() != null) {
      office.deregister(this, c.deregister());
    }
    if (c.buffering() != null) {
      session.buffering(c.buffering());
    }
    if (c.fastpush() != null) {
      session.fastpush(c.fastpush());
    }
    if (c.ack()) {
      session.ack();
    }
    if (c.get()) {
      session.get();
    }
    if (c.notices() != null) {
      session.notices(c.notices());
    }
    if (c.confirms() != null) {
      confirms = c.confirms();
    }
    if (c.idJson() != null) {
      reply(Replies.ok(c.idJson()));
    }
  }

  /** Input that is not a packet: the client hears why. */
  public void badInput(Packet.BadInput bad) {
    if (!connection.isOpen() || waits(bad, null)) {
      return;
    }
    packets++;
    office.metrics().badInput.increment();
    log.debug("bad input id={} reason={}", session.id(), bad.reason());
    reply(Replies.error(bad.idJson(), bad.reason()));
  }

  /** The connection is gone: its session detaches (and ends unless durable). */
  public void closed() {
    releaseWaiting();
    office.closed(this);
  }

  /** Writes out what is batched for this connection now (before a close answer). */
  public void flush() {
    if (session != null && session.attachedTo(connection)) {
      session.flushOut();
    } else {
      connection.flush();
    }
  }

  /** The socket's writability changed: the session holds or resumes delivery. */
  public void writabilityChanged() {
    if (session != null && connection.isOpen()) {
      session.writabilityChanged(connection);
    }
  }

  /** A control packet without its group's register and deregister (applied already). */
  private static Packet.Control withoutRegistrations(Packet.Control c) {
    return c.rest(null, null, c.session(), null);
  }

  /** A control packet without its register (applied already), to finish once subscribed. */
  private static Packet.Control withoutRegister(Packet.Control c) {
    return c.rest(null, c.deregister(), c.session(), c.group());
  }

  /** What is left of a packet that named a session, to apply once attached. */
  private static Packet.Control withoutSession(Packet.Control c) {
    return c.rest(c.register(), c.deregister(), null, c.group());
  }

  /** Whether the budget paused this connection (then it is not closed as idle). */
  public boolean paused() {
    return connection.held(Connection.Hold.BUDGET);
  }

  private static boolean isBareAck(Packet.Control c) {
    return c.ack()
        && c.register() == null
        && c.deregister() == null
        && c.buffering() == null
        && c.fastpush() == null
        && !c.get()
        && c.notices() == null
        && c.confirms() == null
        && c.session() == null;
  }

  /**
   * A refused data packet: not forwarded, and the client hears about it at most once a second (with
   * how many were refused), so the errors cannot themselves flood it.
   */
  private void refused(String why) {
    refusedSinceNotice++;
    long now = System.nanoTime();
    if (now - lastRefusalNoticeNanos >= SECOND) {
      lastRefusalNoticeNanos = now;
      reply(Replies.error(null, why + "; " + refusedSinceNotice + " packet(s) not forwarded"));
      refusedSinceNotice = 0;
    }
  }
}
