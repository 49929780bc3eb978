package io.qmsgbus.postoffice;

import io.netty.buffer.ByteBuf;
import io.qmsgbus.auth.Permissions;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.message.Message;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.metrics.SkillStats;
import io.qmsgbus.protocol.Packet;
import io.qmsgbus.protocol.Replies;
import io.qmsgbus.routing.Router;
import io.qmsgbus.session.ClientSession;
import io.qmsgbus.session.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every packet a client sends is decided on: publish and register policy (rate limits,
 * permissions, per-client and global limits, the queue budget, per-skill stats) in one place, so
 * the transport only turns frames into packets and hands them here, and the session only applies
 * what was allowed. Shared by all connections; the per-connection part is a {@link Sender}.
 */
public final class PostOffice {

  private static final Logger log = LoggerFactory.getLogger(PostOffice.class);

  private final ServerConfig config;
  private final Router router;
  private final BusMetrics metrics;
  private final QueueBudget budget;
  private final AtomicInteger registrations = new AtomicInteger();

  public PostOffice(ServerConfig config, Router router, BusMetrics metrics, QueueBudget budget) {
    this.config = config;
    this.router = router;
    this.metrics = metrics;
    this.budget = budget;
  }

  /** The per-connection desk of a new client. Call on the client's event loop. */
  public Sender open(ClientSession session, Connection connection, Permissions permissions) {
    return new Sender(this, session, connection, permissions);
  }

  /** Registrations of all clients now (for stats and tests). */
  public int registrations() {
    return registrations.get();
  }

  public QueueBudget budget() {
    return budget;
  }

  /** Routes one allowed data packet; {@code content} stays the caller's. */
  void publish(Sender from, Packet.Data data, String idJson, ByteBuf content) {
    SkillStats stats = metrics.skill(data.skill());
    stats.in.increment();
    Message message =
        Message.of(
            data.skill(), content.retain(), from.session.id(), ++from.sequence, idJson, budget);
    int receivers;
    try {
      receivers = router.publish(message);
    } finally {
      message.release();
    }
    if (receivers == 0) {
      metrics.packetsUnrouted.increment();
      stats.unrouted.increment();
    } else {
      stats.out.add(receivers);
    }
  }

  boolean budgetSpent() {
    return budget.spent();
  }

  /**
   * Registers {@code from} for {@code wanted}, all or nothing: a skill it may not register for, or
   * more registrations than its own limit or the server's allow, rejects the lot.
   *
   * @return the error to send back, or null if applied
   */
  String register(Sender from, List<String> wanted) {
    for (String s : wanted) {
      if (!from.permissions.mayRegister(s)) {
        metrics.denied.increment();
        log.debug(
            "register denied id={} user={} skill={}", from.session.id(), from.permissions.who(), s);
        return "not allowed to register for '" + s + "'";
      }
    }
    List<String> fresh = new ArrayList<>(wanted.size());
    int newSkills = 0;
    for (String s : wanted) { // the classifier gives a distinct list, bounded in length
      if (!from.session.isRegistered(s)) {
        fresh.add(s);
        if (!router.hasReceivers(s)) {
          newSkills++;
        }
      }
    }
    if (from.session.registrationCount() + fresh.size() > config.maxRegistrations()) {
      return "too many registrations: at most " + config.maxRegistrations() + " per client";
    }
    if (newSkills > 0 && router.skillCount() + newSkills > config.maxSkills()) {
      return "too many skills on this server: at most " + config.maxSkills();
    }
    if (registrations.addAndGet(fresh.size()) > config.maxTotalRegistrations()) {
      registrations.addAndGet(-fresh.size());
      return "too many registrations on this server: at most " + config.maxTotalRegistrations();
    }
    for (String s : from.session.register(fresh)) {
      metrics.track(s);
    }
    return null;
  }

  void deregister(Sender from, List<String> unwanted) {
    registrations.addAndGet(-from.session.deregister(unwanted));
  }

  void closed(Sender from) {
    registrations.addAndGet(-from.session.registrationCount());
    from.session.close();
    budget.forget(from.connection);
  }

  ServerConfig config() {
    return config;
  }

  BusMetrics metrics() {
    return metrics;
  }

  static String publishDenied(String skill) {
    return "not allowed to publish to '" + skill + "'";
  }

  static String error(String idJson, String reason) {
    return Replies.error(idJson, reason);
  }
}
