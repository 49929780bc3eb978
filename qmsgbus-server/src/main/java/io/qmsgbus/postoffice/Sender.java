package io.qmsgbus.postoffice;

import io.netty.buffer.ByteBuf;
import io.qmsgbus.auth.Permissions;
import io.qmsgbus.protocol.Packet;
import io.qmsgbus.protocol.Replies;
import io.qmsgbus.session.ClientSession;
import io.qmsgbus.session.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's desk at the {@link PostOffice}: its rate limits, permissions and sequence
 * counter, and the one entry point for every packet it sends. Confined to its event loop.
 */
public final class Sender {

  private static final Logger log = LoggerFactory.getLogger(Sender.class);

  private static final long SECOND = 1_000_000_000L;

  final ClientSession session;
  final Connection connection;
  final Permissions permissions;
  private final PostOffice office;
  private final RateLimiter dataRate;
  private final RateLimiter controlRate;

  /** Data packets this connection has published, for the messages' sequence numbers. */
  long sequence;

  private long refusedSinceNotice;
  private long lastRefusalNoticeNanos;

  Sender(PostOffice office, ClientSession session, Connection connection, Permissions p) {
    this.office = office;
    this.session = session;
    this.connection = connection;
    this.permissions = p;
    long now = System.nanoTime();
    int data = office.config().maxPacketsPerSecond();
    int controls = office.config().maxControlsPerSecond();
    this.dataRate = data > 0 ? new RateLimiter(data, now) : null;
    this.controlRate = controls > 0 ? new RateLimiter(controls, now) : null;
  }

  public ClientSession session() {
    return session;
  }

  /** A data packet: rate limit, permission, budget, then routing. */
  public void publish(Packet.Data data, ByteBuf content) {
    if (dataRate != null && !dataRate.tryTake(System.nanoTime())) {
      office.metrics().rateLimited.increment();
      refused(
          "rate limit: at most " + office.config().maxPacketsPerSecond() + " packets per second");
      return;
    }
    String idJson = data.idJson(); // read by the classifier's one pass: nothing is re-parsed
    if (!permissions.mayPublish(data.skill())) {
      office.metrics().denied.increment();
      log.debug(
          "publish denied id={} user={} skill={}", session.id(), permissions.who(), data.skill());
      session.reply(Replies.error(idJson, PostOffice.publishDenied(data.skill())));
      return;
    }
    if (office.budgetSpent()) {
      if (session.receives()) {
        // its ACKs arrive on this socket, so it cannot be paused: refuse instead
        office.metrics().rateLimited.increment();
        refused("server busy: the queue budget is spent");
        return;
      }
      office.publish(this, data, idJson, content);
      office.budget().pause(connection);
      return;
    }
    office.publish(this, data, idJson, content);
  }

  /** A control packet, applied in the order of PROTOCOL.md section 4's table. */
  public void control(Packet.Control c) {
    office.metrics().controls.increment();
    boolean bareAck = isBareAck(c);
    if (!bareAck && controlRate != null && !controlRate.tryTake(System.nanoTime())) {
      office.metrics().rateLimited.increment();
      session.reply(
          Replies.error(
              c.idJson(),
              "rate limit: at most "
                  + office.config().maxControlsPerSecond()
                  + " control packets per second; not applied"));
      return;
    }
    if (c.register() != null) {
      String error = office.register(this, c.register());
      if (error != null) {
        session.reply(Replies.error(c.idJson(), error));
        return; // rejected whole: nothing in this packet applies
      }
    }
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
    if (c.idJson() != null) {
      session.reply(Replies.ok(c.idJson()));
    }
  }

  /** Input that is not a packet: the client hears why. */
  public void badInput(Packet.BadInput bad) {
    office.metrics().badInput.increment();
    log.debug("bad input id={} reason={}", session.id(), bad.reason());
    session.reply(Replies.error(bad.idJson(), bad.reason()));
  }

  /** The connection is gone: the session leaves nothing behind. */
  public void closed() {
    office.closed(this);
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
        && c.notices() == null;
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
      session.reply(
          Replies.error(null, why + "; " + refusedSinceNotice + " packet(s) not forwarded"));
      refusedSinceNotice = 0;
    }
  }
}
