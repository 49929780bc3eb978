package io.qmsgbus.session;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.qmsgbus.auth.Identity;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.protocol.Packet.SessionRequest;
import io.qmsgbus.routing.Router;
import io.qmsgbus.store.RecoveredSession;
import io.qmsgbus.store.Recovery;
import io.qmsgbus.store.SessionStore;
import io.qmsgbus.store.StoredMessage;
import io.qmsgbus.store.StoredSession;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every session of the server, by id, and the named ones by name: opens the unnamed session of a
 * plain connection, attaches a connection to a named session (creating it, taking it over from
 * another connection, or starting it clean), and forgets a session when it ends. Sessions expire on
 * their own loop (see {@link ClientSession#detach}); this class only keeps the books.
 */
public final class SessionRegistry {

  private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

  /** How often an attach retries when the session it found ended under it (expiry, clean). */
  private static final int MAX_ATTACH_TRIES = 3;

  /** What a registry needs to make sessions. */
  public record Settings(
      ClientSession.Limits limits,
      long defaultExpirySeconds,
      long maxExpirySeconds,
      int maxSessions) {}

  private final Map<Long, ClientSession> byId = new ConcurrentHashMap<>();
  private final Map<String, ClientSession> byName = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final Router router;
  private final BusMetrics metrics;
  private final SessionStore store;
  private final Settings settings;
  private final Consumer<ClientSession> onEnd;

  /** Where durable sessions live in a cluster; null on a node of its own. */
  private volatile SharedSessions shared;

  /** Told of a session loaded from the shared store, as of one restored at start. */
  private Consumer<ClientSession> adopted = s -> {};

  /**
   * @param onEnd told when a session ends (on its loop), after it left the registry
   */
  public SessionRegistry(
      Router router,
      BusMetrics metrics,
      SessionStore store,
      Settings settings,
      Consumer<ClientSession> onEnd) {
    this.router = router;
    this.metrics = metrics;
    this.store = store;
    this.settings = settings;
    this.onEnd = onEnd;
  }

  /**
   * Keeps every durable session in {@code sessions} (shared by the cluster's nodes) from now on.
   * Set once, at start, before any client connects.
   */
  public void shareWith(SharedSessions sessions, Consumer<ClientSession> adopted) {
    this.adopted = adopted;
    this.shared = sessions;
    sessions.onTakenOver(this::takenOverElsewhere);
  }

  /**
   * Another node claimed {@code name}: the session here (if any) closes its connection and goes.
   */
  private void takenOverElsewhere(String name) {
    ClientSession s = byName.get(name);
    if (s != null) {
      s.eventLoop().execute(() -> unload(s, true));
    }
  }

  private void unload(ClientSession s, boolean takenOver) {
    if (!s.eventLoop().inEventLoop()) {
      s.eventLoop().execute(() -> unload(s, takenOver));
      return;
    }
    shared.stopFeeding(s.name());
    s.unload(takenOver);
  }

  /** The unnamed session of a new connection, attached to it at once. On its loop. */
  public ClientSession open(Identity identity, Connection c) {
    ClientSession s = create(null, identity, c.eventLoop(), 0);
    s.attach(c, 0, false, attached -> {});
    return s;
  }

  /**
   * Attaches {@code c} to the session {@code request} names. {@code done} runs on {@code c}'s loop
   * with the session, or with null and the reason it was refused (with auth a session belongs to
   * the identity that made it; the number of named sessions is bounded).
   */
  public void attach(SessionRequest request, Identity who, Connection c, Attached done) {
    attach(request, who, c, done, 1);
  }

  private void attach(
      SessionRequest request, Identity who, Connection c, Attached done, int attempt) {
    long expiry = expiry(request);
    String owner = who == null ? null : who.name();
    SharedSessions sharing = shared;
    if (sharing != null && expiry > 0 && byName.get(request.name()) == null) {
      attachShared(sharing, request, who, owner, expiry, c, done, attempt);
      return;
    }
    ClientSession[] fresh = {null};
    String[] refused = {null};
    ClientSession found =
        byName.compute(
            request.name(),
            (name, existing) -> {
              if (existing != null && !existing.closed()) {
                if (!Objects.equals(existing.owner(), owner)) {
                  refused[0] = "session '" + name + "' belongs to another user";
                }
                return existing;
              }
              if (byName.size() >= settings.maxSessions()) {
                refused[0] = "too many sessions on this server: at most " + settings.maxSessions();
                return existing;
              }
              fresh[0] = create(name, who, c.eventLoop(), expiry);
              return fresh[0];
            });
    if (refused[0] != null) {
      done.attached(null, refused[0]);
      return;
    }
    if (fresh[0] != null) {
      fresh[0].attach(c, expiry, false, ok -> done.attached(fresh[0], null));
      return;
    }
    if (request.clean()) { // end the old one on its loop, then start afresh
      found.end(ClientSession.TAKEN_OVER, "session taken over");
      found
          .eventLoop()
          .execute(
              () ->
                  c.eventLoop()
                      .execute(
                          () ->
                              retry(
                                  new SessionRequest(
                                      request.name(), request.expirySeconds(), false),
                                  who,
                                  c,
                                  done,
                                  attempt)));
      return;
    }
    found.attach(
        c,
        expiry,
        true,
        ok -> {
          if (ok) {
            done.attached(found, null);
          } else {
            retry(request, who, c, done, attempt); // it ended meanwhile: start a new one
          }
        });
  }

  /**
   * A durable session this node does not hold, in a cluster: loaded from the shared store (or made
   * afresh), claimed for this node (the node that had it closes its connection), then attached and
   * fed from the oldest unacked packet on.
   */
  private void attachShared(
      SharedSessions sharing,
      SessionRequest request,
      Identity who,
      String owner,
      long expiry,
      Connection c,
      Attached done,
      int attempt) {
    String name = request.name();
    sharing
        .load(name)
        .whenComplete(
            (stored, error) ->
                c.eventLoop()
                    .execute(
                        () -> {
                          if (error != null) {
                            done.attached(null, "session store unreachable: " + error.getMessage());
                            return;
                          }
                          Optional<StoredSession> st = request.clean() ? Optional.empty() : stored;
                          if (st.isPresent() && !Objects.equals(st.get().owner(), owner)) {
                            done.attached(null, "session '" + name + "' belongs to another user");
                            return;
                          }
                          if (request.clean() && stored.isPresent()) {
                            if (!Objects.equals(stored.get().owner(), owner)) {
                              done.attached(null, "session '" + name + "' belongs to another user");
                              return;
                            }
                            sharing.delete(name);
                          }
                          if (byName.size() >= settings.maxSessions()) {
                            done.attached(
                                null,
                                "too many sessions on this server: at most "
                                    + settings.maxSessions());
                            return;
                          }
                          ClientSession s =
                              createShared(sharing, name, who, owner, c.eventLoop(), expiry);
                          if (byName.putIfAbsent(name, s) != null) { // another connection here won
                            byId.remove(s.id());
                            retry(request, who, c, done, attempt);
                            return;
                          }
                          st.ifPresent(
                              x -> {
                                s.restoreFlags(x.buffering(), x.fastpush(), x.notices());
                                s.restoreSkills(x.skills());
                                adopted.accept(s);
                              });
                          sharing
                              .claim(name)
                              .whenComplete(
                                  (v, claimError) ->
                                      s.attach(
                                          c,
                                          expiry,
                                          st.isPresent(),
                                          ok -> {
                                            if (!ok) {
                                              retry(request, who, c, done, attempt);
                                              return;
                                            }
                                            sharing.feed(name, s);
                                            done.attached(s, null);
                                          }));
                        }));
  }

  private ClientSession createShared(
      SharedSessions sharing,
      String name,
      Identity who,
      String owner,
      EventLoop home,
      long expiry) {
    long id = ids.incrementAndGet();
    ClientSession[] made = {null};
    ClientSession s =
        new ClientSession(
            id,
            name,
            who,
            owner,
            home,
            sharing.routerFor(name),
            metrics,
            store,
            settings.limits(),
            expiry,
            () -> ended(made[0]));
    made[0] = s;
    s.sharedBy(
        detached -> {
          sharing.release(name, detached.expirySeconds());
          unload(detached, false);
        });
    byId.put(id, s);
    return s;
  }

  private void retry(
      SessionRequest request, Identity who, Connection c, Attached done, int attempt) {
    if (attempt >= MAX_ATTACH_TRIES) {
      done.attached(null, "session '" + request.name() + "' is busy; try again");
      return;
    }
    attach(request, who, c, done, attempt + 1);
  }

  private long expiry(SessionRequest request) {
    Long asked = request.expirySeconds();
    long e = asked == null ? settings.defaultExpirySeconds() : asked;
    return Math.min(e, settings.maxExpirySeconds());
  }

  private ClientSession create(String name, Identity who, EventLoop home, long expiry) {
    return create(name, who, who == null ? null : who.name(), home, expiry);
  }

  private ClientSession create(
      String name, Identity who, String owner, EventLoop home, long expiry) {
    long id = ids.incrementAndGet();
    ClientSession[] made = {null};
    ClientSession s =
        new ClientSession(
            id,
            name,
            who,
            owner,
            home,
            router,
            metrics,
            store,
            settings.limits(),
            expiry,
            () -> ended(made[0]));
    made[0] = s;
    byId.put(id, s);
    return s;
  }

  private void ended(ClientSession s) {
    byId.remove(s.id());
    if (s.name() != null) {
      byName.remove(s.name(), s);
    }
    onEnd.accept(s);
  }

  /**
   * Brings back what the store kept from the previous run: each session detached, with its
   * registrations, flags and queue, expiring by the clock it had. Before any client connects.
   *
   * @return the sessions restored
   */
  public int restore(
      Recovery recovery,
      EventLoopGroup loops,
      ByteAccount account,
      Consumer<ClientSession> adopted) {
    long now = System.currentTimeMillis();
    int restored = 0;
    for (RecoveredSession r : recovery.sessions()) {
      StoredSession st = r.session();
      long detachedAt = st.detachedAtMillis() == 0 ? now : st.detachedAtMillis();
      long left = detachedAt + st.expirySeconds() * 1000 - now;
      if (left <= 0 || st.expirySeconds() <= 0) {
        r.queue().forEach(m -> m.payload().release());
        store.deleteSession(st.name());
        continue;
      }
      EventLoop home = loops.next();
      ClientSession s = create(st.name(), null, st.owner(), home, st.expirySeconds());
      byName.put(st.name(), s);
      home.submit(
              () -> {
                s.detachedSince(detachedAt);
                s.restoreFlags(st.buffering(), st.fastpush(), st.notices());
                s.restoreSkills(st.skills());
                for (StoredMessage m : r.queue()) {
                  Message msg = Message.of(m.skill(), m.payload(), 0, 0, null, account);
                  msg.storeKey(m.key());
                  s.restore(msg);
                }
                s.scheduleExpiry(left);
                adopted.accept(s);
              })
          .syncUninterruptibly();
      restored++;
    }
    if (restored > 0 || recovery.damagedRecords() > 0) {
      log.info(
          "restored {} session(s) from the store ({} damaged record(s) skipped)",
          restored,
          recovery.damagedRecords());
    }
    return restored;
  }

  /**
   * The server is stopping: every session frees its memory on its loop (stored state stays for the
   * next start). Waits for each, so nothing is left when the loops go.
   */
  public void disposeAll() {
    for (ClientSession s : byId.values()) {
      try {
        s.eventLoop().submit(s::dispose).syncUninterruptibly();
      } catch (RuntimeException loopGone) {
        log.debug("session {} not disposed: {}", s.id(), loopGone.toString());
      }
    }
  }

  /** Every session now, by id (read-only). */
  public Map<Long, ClientSession> sessions() {
    return Collections.unmodifiableMap(byId);
  }

  /** The named session called {@code name}, or null. */
  public ClientSession named(String name) {
    return byName.get(name);
  }

  public int size() {
    return byId.size();
  }

  /** Named sessions now: {attached, detached}. */
  public long[] namedCounts() {
    long online = 0;
    long offline = 0;
    for (ClientSession s : byName.values()) {
      if (s.attached()) {
        online++;
      } else {
        offline++;
      }
    }
    return new long[] {online, offline};
  }

  /**
   * Ends the named session for good (an operator's delete): its queue and stored state go, and an
   * attached connection is closed with {@link ClientSession#DELETED}.
   *
   * @return whether there was such a session
   */
  public boolean delete(String name) {
    ClientSession s = byName.get(name);
    if (s == null) {
      return false;
    }
    s.end(ClientSession.DELETED, "session deleted");
    return true;
  }

  /** Where an attach ends: the session, or null and why not. */
  @FunctionalInterface
  public interface Attached {
    void attached(ClientSession session, String refused);
  }
}
