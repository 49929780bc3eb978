package io.qmsgbus.postoffice;

import io.netty.buffer.ByteBuf;
import io.qmsgbus.auth.Identity;
import io.qmsgbus.auth.Permissions;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.message.DeliveryReceipt;
import io.qmsgbus.message.Message;
import io.qmsgbus.message.Receipt;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.metrics.SkillStats;
import io.qmsgbus.protocol.Packet;
import io.qmsgbus.protocol.Packet.SessionRequest;
import io.qmsgbus.protocol.Replies;
import io.qmsgbus.routing.Groups;
import io.qmsgbus.routing.Router;
import io.qmsgbus.session.ClientSession;
import io.qmsgbus.session.Connection;
import io.qmsgbus.session.SessionRegistry;
import io.qmsgbus.skill.SkillName;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
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
  private final Groups groups;
  private SessionRegistry sessions;

  public PostOffice(ServerConfig config, Router router, BusMetrics metrics, QueueBudget budget) {
    this.config = config;
    this.router = router;
    this.metrics = metrics;
    this.budget = budget;
    this.groups =
        new Groups(
            router,
            config.maxGroupQueuePackets(),
            m -> {
              metrics.packetsDropped.increment();
              metrics.skill(m.skill()).dropped.increment();
            });
  }

  /** The registry this office attaches connections to sessions through; set once, at start. */
  public void sessions(SessionRegistry registry) {
    this.sessions = registry;
  }

  /**
   * The per-connection desk of a new client, with the unnamed session that ends with it. On the
   * connection's event loop.
   */
  public Sender open(Identity identity, Connection connection, Permissions permissions) {
    return new Sender(this, sessions.open(identity, connection), identity, connection, permissions);
  }

  /**
   * The desk of a client that named its session on the upgrade URL: packets wait (and the
   * connection is not read) until the session is attached; a refusal closes the connection.
   */
  public Sender openNamed(
      SessionRequest request, Identity identity, Connection connection, Permissions permissions) {
    Sender sender = new Sender(this, null, identity, connection, permissions);
    sender.attach(request, null);
    return sender;
  }

  void attach(Sender from, SessionRequest request, SessionRegistry.Attached done) {
    sessions.attach(request, from.identity, from.connection, done);
  }

  /** A session ended (its connection went, it expired, or it was started clean): its books. */
  public void ended(ClientSession session) {
    registrations.addAndGet(-session.registrationCount());
  }

  /** A session brought back from the store counts as if its client had registered again. */
  public void adopted(ClientSession session) {
    registrations.addAndGet(session.registrationCount());
    for (String s : session.skills()) {
      metrics.track(s);
    }
  }

  /** Registrations of all clients now (for stats and tests). */
  public int registrations() {
    return registrations.get();
  }

  public QueueBudget budget() {
    return budget;
  }

  /** Routes one allowed data packet; {@code content} stays the caller's. */
  void publish(Sender from, Packet.Data data, String idJson, ByteBuf content, Receipt receipt) {
    SkillStats stats = metrics.skill(data.skill());
    stats.in.increment();
    Message message =
        Message.of(
            data.skill(),
            content.retain(),
            from.session.id(),
            ++from.sequence,
            idJson,
            budget,
            receipt);
    DeliveryReceipt delivery = null;
    if (data.receipt() && receipt != null) { // asked for, with confirms and an id
      delivery = from.deliveryReceipt(idJson);
      message.delivery(delivery);
    }
    NoReceivers check = null;
    if (data.isRequest()) {
      check = new NoReceivers(() -> from.noReceivers(idJson, data.skill()));
      if (router.sharedAcrossNodes()) {
        message.remoteCount(check);
      } else {
        check.accept(0); // nobody elsewhere: this node's count decides
      }
    }
    int receivers;
    try {
      receivers = router.publish(message);
      if (check != null) {
        check.local(receivers);
      }
      if (delivery != null) {
        delivery.routedTo(receivers);
      }
    } finally {
      message.release();
      if (receipt != null) {
        receipt.done(); // every receiver has said whether it will answer: let go of ours
      }
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
   * What a register came to: refused ({@code error} says why), or applied, with {@code ready}
   * completing once the router has the new skills in force everywhere (null: already).
   */
  record Registration(String error, CompletionStage<Void> ready) {
    static Registration refused(String error) {
      return new Registration(error, null);
    }
  }

  /**
   * Registers {@code from} for {@code wanted}, all or nothing: a skill it may not register for, or
   * more registrations than its own limit or the server's allow, rejects the lot.
   */
  Registration register(Sender from, List<String> wanted) {
    String refused = mayRegister(from, wanted);
    if (refused != null) {
      return Registration.refused(refused);
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
    if (newSkills > 0 && router.skillCount() + newSkills > config.maxSkills()) {
      return Registration.refused("too many skills on this server: at most " + config.maxSkills());
    }
    refused = reserve(from, fresh.size());
    if (refused != null) {
      return Registration.refused(refused);
    }
    List<String> added = from.session.register(fresh);
    for (String s : added) {
      metrics.track(s);
    }
    return new Registration(null, added.isEmpty() ? null : from.session.ready(added));
  }

  /**
   * Why {@code from} may not register (or join a group) for one of {@code wanted}: another's
   * private inbox, or outside its permissions; null if it may.
   */
  private String mayRegister(Sender from, List<String> wanted) {
    for (String s : wanted) {
      if (SkillName.isInbox(s) && !s.equals(from.inbox)) {
        return "'"
            + s
            + "': "
            + SkillName.INBOX_PREFIX
            + " skills are private; ask for your own with {\"inbox\":true}";
      }
    }
    for (String s : wanted) {
      if (!from.permissions.mayRegister(s)) {
        metrics.denied.increment();
        log.debug(
            "register denied id={} user={} skill={}", from.session.id(), from.permissions.who(), s);
        return "not allowed to register for '" + s + "'";
      }
    }
    return null;
  }

  /**
   * Counts {@code fresh} new registrations of {@code from} against its own bound and the server's;
   * returns why not (nothing counted), or null once counted.
   */
  private String reserve(Sender from, int fresh) {
    if (from.session.registrationCount() + fresh > config.maxRegistrations()) {
      return "too many registrations: at most " + config.maxRegistrations() + " per client";
    }
    if (registrations.addAndGet(fresh) > config.maxTotalRegistrations()) {
      registrations.addAndGet(-fresh);
      return "too many registrations on this server: at most " + config.maxTotalRegistrations();
    }
    return null;
  }

  /**
   * Makes {@code from} a member of group {@code name} of each of {@code wanted}, all or nothing,
   * under the same permissions and bounds as a register (each membership counts as one).
   *
   * @return the error to send back, or null if applied
   */
  String joinGroups(Sender from, List<String> wanted, String name) {
    String refused = mayRegister(from, wanted);
    if (refused != null) {
      return refused;
    }
    int fresh = 0;
    for (String s : wanted) {
      if (!from.session.inGroup(s, name)) {
        fresh++;
      }
    }
    refused = reserve(from, fresh);
    if (refused != null) {
      return refused;
    }
    int added = from.session.joinGroups(groups, wanted, name);
    registrations.addAndGet(added - fresh);
    for (String s : wanted) {
      metrics.track(s);
    }
    return null;
  }

  void leaveGroups(Sender from, List<String> unwanted, String name) {
    registrations.addAndGet(-from.session.leaveGroups(unwanted, name));
  }

  /**
   * Gives {@code from} a private inbox skill (made once per connection, registered for it alone,
   * unguessable: 16 random base-32 characters), and returns its name.
   */
  String inbox(Sender from) {
    if (from.inbox == null) {
      from.inbox = SkillName.INBOX_PREFIX + Inboxes.randomName();
    }
    from.session.register(List.of(from.inbox));
    registrations.incrementAndGet();
    return from.inbox;
  }

  /** The receiver groups (for stats and tests). */
  public Groups groups() {
    return groups;
  }

  void deregister(Sender from, List<String> unwanted) {
    registrations.addAndGet(-from.session.deregister(unwanted));
  }

  /** The connection went: its session detaches (and ends, unless it is durable). */
  void closed(Sender from) {
    budget.forget(from.connection);
    if (from.session != null) {
      from.session.detach(from.connection);
    }
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
