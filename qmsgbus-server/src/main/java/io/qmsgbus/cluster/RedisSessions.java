package io.qmsgbus.cluster;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.buffer.ByteBuf;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import io.qmsgbus.routing.Receiver;
import io.qmsgbus.routing.Router;
import io.qmsgbus.session.SharedSessions;
import io.qmsgbus.skill.SkillName;
import io.qmsgbus.store.Recovery;
import io.qmsgbus.store.SessionStore;
import io.qmsgbus.store.StoredSession;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable sessions kept in Redis, so that any node can resume one (the cluster's {@link
 * SharedSessions}, and the {@link SessionStore} of the sessions it holds):
 *
 * <ul>
 *   <li>{@code P:sess:NAME}, a hash: owner, skills, flags, expiry, and {@code node}, the node that
 *       holds it now ({@code ""} while detached; the hash expires {@code expiry} seconds after the
 *       client left);
 *   <li>{@code P:q:NAME}, a stream: its queue, oldest first, one entry per packet ({@code s} the
 *       skill, {@code m} the same envelope as on the pub/sub channel); an ACK deletes the entry, so
 *       the first entry is the unacked packet in flight;
 *   <li>{@code P:dur:SKILL}, a set: the durable sessions registered for the skill, cluster-wide;
 *       {@code P:durp}, a set of {@code PATTERN\nNAME}: their wildcard registrations (the script
 *       matches each against the packet's skill).
 * </ul>
 *
 * Whichever node a packet is published on appends it to the stream of every durable session in the
 * skill's set, in the same script that publishes it to the other nodes ({@link RedisLink#publish}),
 * and wakes the node holding each; so a confirm means stored in Redis for every durable receiver,
 * and what arrives while a session's node is dead waits in its stream.
 */
final class RedisSessions implements SharedSessions, SessionStore {

  private static final Logger log = LoggerFactory.getLogger(RedisSessions.class);

  private static final int PAGE = 256;

  /** Takes the session for this node and tells the node that had it; returns that node. */
  private static final String CLAIM =
      "local old = redis.call('HGET', KEYS[1], 'node')\n"
          + "redis.call('HSET', KEYS[1], 'node', ARGV[1], 'detachedAt', '0')\n"
          + "redis.call('PERSIST', KEYS[1])\n"
          + "redis.call('PERSIST', KEYS[2])\n"
          + "if old and old ~= '' and old ~= ARGV[1] then\n"
          + "  redis.call('PUBLISH', ARGV[2] .. 'ctl:' .. old, ARGV[3])\n"
          + "end\n"
          + "return old or ''";

  /** Lets the session go, if this node still holds it: kept for ARGV[2] ms. */
  private static final String RELEASE =
      "if redis.call('HGET', KEYS[1], 'node') == ARGV[1] then\n"
          + "  redis.call('HSET', KEYS[1], 'node', '', 'detachedAt', ARGV[3])\n"
          + "  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
          + "  redis.call('PEXPIRE', KEYS[2], ARGV[2])\n"
          + "  return 1\n"
          + "end\n"
          + "return 0";

  private final StatefulRedisConnection<String, String> text;
  private final StatefulRedisConnection<String, ByteBuf> bytes;
  private final String prefix;
  private final String node;
  private final ByteAccount account;
  private final ConcurrentHashMap<String, Feed> feeds = new ConcurrentHashMap<>();
  private volatile Consumer<String> takenOver = name -> {};

  RedisSessions(
      StatefulRedisConnection<String, String> text,
      StatefulRedisConnection<String, ByteBuf> bytes,
      String prefix,
      String node,
      ByteAccount account) {
    this.text = text;
    this.bytes = bytes;
    this.prefix = prefix + ":";
    this.node = node;
    this.account = account;
  }

  private String sess(String name) {
    return prefix + "sess:" + name;
  }

  private String queue(String name) {
    return prefix + "q:" + name;
  }

  String index(String skill) {
    return prefix + "dur:" + skill;
  }

  // ---- SharedSessions

  @Override
  public CompletionStage<Optional<StoredSession>> load(String name) {
    return text.async()
        .hgetall(sess(name))
        .thenApply(h -> h.isEmpty() ? Optional.empty() : Optional.of(decode(name, h)));
  }

  private static StoredSession decode(String name, Map<String, String> h) {
    String skills = h.getOrDefault("skills", "");
    return new StoredSession(
        name,
        h.get("owner"),
        skills.isEmpty() ? List.of() : List.of(skills.split("\n")),
        "1".equals(h.get("buffering")),
        "1".equals(h.get("fastpush")),
        "1".equals(h.get("notices")),
        Long.parseLong(h.getOrDefault("expiry", "0")),
        Long.parseLong(h.getOrDefault("detachedAt", "0")));
  }

  @Override
  public CompletionStage<Void> claim(String name) {
    return text.async()
        .<String>eval(
            CLAIM,
            ScriptOutputType.VALUE,
            new String[] {sess(name), queue(name)},
            node,
            prefix,
            name)
        .thenAccept(
            old -> {
              if (old != null && !old.isEmpty() && !old.equals(node)) {
                log.info("session {} taken from node {}", name, old);
              }
            });
  }

  @Override
  public void release(String name, long expirySeconds) {
    text.async()
        .eval(
            RELEASE,
            ScriptOutputType.INTEGER,
            new String[] {sess(name), queue(name)},
            node,
            Long.toString(Math.max(1, expirySeconds * 1000)),
            Long.toString(System.currentTimeMillis()));
  }

  @Override
  public void delete(String name) {
    text.async().del(sess(name), queue(name));
  }

  @Override
  public Router routerFor(String name) {
    return new DurableIndex(name);
  }

  @Override
  public void onTakenOver(Consumer<String> action) {
    this.takenOver = action;
  }

  /** Another node claimed {@code name} (a message on this node's control channel). */
  void takenOver(String name) {
    takenOver.accept(name);
  }

  // ---- feeding attached sessions from their streams

  /** One attached session's reader: what it has read so far, and whether a read is under way. */
  private final class Feed {
    final String name;
    final Receiver session;
    String last; // the last entry handed over, null before the first read
    boolean reading;
    boolean again;
    volatile boolean stopped;

    Feed(String name, Receiver session) {
      this.name = name;
      this.session = session;
    }

    synchronized void wake() {
      if (stopped) {
        return;
      }
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      read();
    }

    private void read() {
      Range<String> range =
          last == null
              ? Range.create("-", "+")
              : Range.from(Range.Boundary.excluding(last), Range.Boundary.unbounded());
      bytes
          .async()
          .xrange(queue(name), range, Limit.from(PAGE))
          .whenComplete((entries, error) -> pageRead(entries, error));
    }

    private void pageRead(List<StreamMessage<String, ByteBuf>> entries, Throwable error) {
      if (error != null) {
        log.debug("session {}: reading its queue failed: {}", name, error.toString());
        synchronized (this) {
          reading = false; // the next wake (or attach) reads again from where it stopped
        }
        return;
      }
      for (StreamMessage<String, ByteBuf> e : entries) {
        hand(e);
      }
      synchronized (this) {
        if (stopped) {
          reading = false;
          return;
        }
        if (entries.size() == PAGE || again) {
          again = false;
          read();
        } else {
          reading = false;
        }
      }
    }

    private void hand(StreamMessage<String, ByteBuf> e) {
      ByteBuf skillBytes = e.getBody().get("s");
      ByteBuf frame = e.getBody().get("m");
      try {
        last = e.getId();
        if (stopped || skillBytes == null || frame == null) {
          return;
        }
        Envelope.Decoded d = Envelope.decode(frame);
        Message m =
            Message.of(
                skillBytes.toString(StandardCharsets.UTF_8),
                d.packet().retain(),
                d.origin(),
                d.sequence(),
                d.idJson(),
                account);
        m.storeKey(StreamIds.toKey(e.getId()));
        session.offer(m);
      } catch (IllegalArgumentException notOurs) {
        log.debug("session {}: skipped entry {}: {}", name, e.getId(), notOurs.getMessage());
      } finally {
        if (skillBytes != null) {
          skillBytes.release();
        }
        if (frame != null) {
          frame.release();
        }
      }
    }
  }

  @Override
  public void feed(String name, Receiver session) {
    Feed f = new Feed(name, session);
    Feed old = feeds.put(name, f);
    if (old != null) {
      old.stopped = true;
    }
    f.wake();
  }

  @Override
  public void stopFeeding(String name) {
    Feed f = feeds.remove(name);
    if (f != null) {
      f.stopped = true;
    }
  }

  /** Packets were stored for {@code name} (a message on this node's wake channel). */
  void wake(String name) {
    Feed f = feeds.get(name);
    if (f != null) {
      f.wake();
    }
  }

  /** After a reconnect: wakes were missed, so every feed looks again. */
  void wakeAll() {
    feeds.values().forEach(Feed::wake);
  }

  // ---- SessionStore (for the sessions this node holds)

  @Override
  public boolean persistent() {
    return true;
  }

  @Override
  public void saveSession(StoredSession s) {
    Map<String, String> h =
        Map.of(
            "skills", String.join("\n", s.skills()),
            "buffering", s.buffering() ? "1" : "0",
            "fastpush", s.fastpush() ? "1" : "0",
            "notices", s.notices() ? "1" : "0",
            "expiry", Long.toString(s.expirySeconds()));
    text.async().hset(sess(s.name()), h);
    if (s.owner() != null) {
      text.async().hset(sess(s.name()), "owner", s.owner());
    }
  }

  @Override
  public void deleteSession(String name) {
    delete(name);
  }

  /** The publisher's node stored it already (its stream entry is the key). */
  @Override
  public long enqueue(String name, Message m) {
    return m.storeKey();
  }

  @Override
  public void remove(String name, long key) {
    if (key != 0) {
      bytes.async().xdel(queue(name), StreamIds.fromKey(key));
    }
  }

  @Override
  public void whenDurable(Runnable action) {
    action.run(); // in Redis before this node saw it
  }

  /**
   * After every XDEL sent so far is applied (commands on one connection are answered in order): ACK
   * pacing waits for it, so a node killed then repeats at most the packet in flight.
   */
  @Override
  public void whenWritten(Runnable action) {
    bytes.async().ping().whenComplete((pong, e) -> action.run());
  }

  @Override
  public Recovery recover(io.netty.buffer.ByteBufAllocator alloc) {
    return new Recovery(List.of(), 0, List.of()); // loaded on attach, not at start
  }

  @Override
  public void close() {
    feeds.values().forEach(f -> f.stopped = true);
    feeds.clear();
  }

  /**
   * The cluster-wide index a durable session registers through: its name in {@code P:dur:SKILL}. It
   * routes nothing itself (the publisher's script reads the index).
   */
  private final class DurableIndex implements Router {
    private final String name;

    DurableIndex(String name) {
      this.name = name;
    }

    @Override
    public boolean subscribe(String skill, Receiver receiver) {
      if (SkillName.isPattern(skill)) {
        text.async().sadd(prefix + "durp", skill + "\n" + name);
      } else {
        text.async().sadd(index(skill), name);
      }
      return true;
    }

    @Override
    public boolean unsubscribe(String skill, Receiver receiver) {
      if (SkillName.isPattern(skill)) {
        text.async().srem(prefix + "durp", skill + "\n" + name);
      } else {
        text.async().srem(index(skill), name);
      }
      return true;
    }

    @Override
    public int publish(Message message) {
      throw new UnsupportedOperationException("the durable index routes nothing itself");
    }

    /** After the index writes: commands on one connection are answered in order. */
    @Override
    public CompletionStage<Void> ready(Collection<String> skills) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      text.async().ping().whenComplete((pong, e) -> done.complete(null));
      return done;
    }

    @Override
    public boolean hasReceivers(String skill) {
      return false;
    }

    @Override
    public int skillCount() {
      return 0;
    }

    @Override
    public Map<String, Integer> receiverCounts() {
      return Map.of();
    }
  }
}
