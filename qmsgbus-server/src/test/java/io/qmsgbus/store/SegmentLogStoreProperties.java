package io.qmsgbus.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * The segment log against a model (a map of sessions to lists of messages): random saves, deletes,
 * fan-outs (also of an older message, and of one every session had removed), removals, reopens,
 * compactions and a crash between compaction's copies and its deletion; after every reopen the
 * recovered sessions and queues (order, keys, bytes) are the model's. Tries: {@code
 * -Dqmsgbus.storeTries=N} (default 100).
 */
class SegmentLogStoreProperties {

  /** Sets the tries from -Dqmsgbus.storeTries. */
  static final class Tries implements AroundPropertyHook {
    @Override
    public PropertyExecutionResult aroundProperty(
        PropertyLifecycleContext context, PropertyExecutor property) {
      context.attributes().setTries(Integer.getInteger("qmsgbus.storeTries", 100));
      return property.execute();
    }

    @Override
    public int aroundPropertyProximity() {
      return -100; // outside jqwik's own: the tries are read after this
    }
  }

  private static final List<String> NAMES = List.of("s0", "s1", "s2", "s3");

  record Entry(long key, String skill, byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && e.key == key
          && e.skill.equals(skill)
          && Arrays.equals(e.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return Objects.hash(key, skill, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
      return key + ":" + skill + ":" + bytes.length + "B";
    }
  }

  /** The store under test and what it should hold. */
  static final class World {
    final Path dir;
    final FsyncPolicy fsync;
    final long segmentBytes;
    SegmentLogStore store;
    final Map<String, StoredSession> sessions = new TreeMap<>();
    final Map<String, List<Entry>> queues = new TreeMap<>();

    /** Messages this store lifetime has seen, for a fan-out that comes later. */
    final Map<Long, Entry> known = new HashMap<>();

    int reopens;

    World(FsyncPolicy fsync, long segmentBytes) {
      try {
        this.dir = Files.createTempDirectory("qmsgbus-store-model");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      this.fsync = fsync;
      this.segmentBytes = segmentBytes;
      this.store = open();
      check(store.recover(ByteBufAllocator.DEFAULT));
    }

    SegmentLogStore open() {
      return SegmentLogStore.open(new StoreOptions(dir, fsync, 20, segmentBytes));
    }

    void reopen() {
      store.close();
      store = open();
      check(store.recover(ByteBufAllocator.DEFAULT));
      reopens++;
      // a restart forgets every message object; keys of what nobody queues may be used again
      known.clear();
      queues.values().forEach(q -> q.forEach(e -> known.put(e.key(), e)));
    }

    void check(Recovery r) {
      Map<String, StoredSession> gotSessions = new TreeMap<>();
      Map<String, List<Entry>> gotQueues = new TreeMap<>();
      for (RecoveredSession s : r.sessions()) {
        gotSessions.put(s.session().name(), s.session());
        List<Entry> q = new ArrayList<>();
        for (StoredMessage m : s.queue()) {
          q.add(new Entry(m.key(), m.skill(), ByteBufUtil.getBytes(m.payload())));
          m.payload().release();
        }
        gotQueues.put(s.session().name(), q);
      }
      assertThat(r.problems()).isEmpty();
      assertThat(gotSessions).isEqualTo(sessions);
      assertThat(gotQueues).isEqualTo(queues);
    }

    void close() {
      store.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return "World" + queues;
    }
  }

  private final List<World> worlds = new ArrayList<>();

  @AfterTry
  void cleanUp() {
    worlds.forEach(World::close);
    worlds.clear();
  }

  @Property
  @AddLifecycleHook(Tries.class)
  void theStoreRecoversWhatTheModelHolds(@ForAll("chains") ActionChain<World> chain) {
    World end = chain.run();
    end.reopen(); // every chain ends with a recovery
  }

  @Provide
  Arbitrary<ActionChain<World>> chains() {
    Arbitrary<FsyncPolicy> fsync = Arbitraries.of(FsyncPolicy.NEVER, FsyncPolicy.ALWAYS);
    Arbitrary<Long> segmentBytes = Arbitraries.of(512L, 2048L, 16384L);
    return Combinators.combine(fsync, segmentBytes)
        .as((f, b) -> f + "/" + b)
        .flatMap(
            cfg -> {
              String[] parts = cfg.split("/");
              FsyncPolicy f = FsyncPolicy.valueOf(parts[0]);
              long b = Long.parseLong(parts[1]);
              return ActionChain.<World>startWith(
                      () -> {
                        World w = new World(f, b);
                        worlds.add(w);
                        return w;
                      })
                  .withAction(3, new Save())
                  .withAction(1, new Delete())
                  .withAction(6, new Append())
                  .withAction(2, new FanOutLater())
                  .withAction(4, new Remove())
                  .withAction(1, Action.just("reopen", Transformer.mutate("reopen", World::reopen)))
                  .withAction(1, new Compact(true))
                  .withAction(1, new Compact(false))
                  .withMaxTransformations(60);
            });
  }

  private static Arbitrary<String> name() {
    return Arbitraries.of(NAMES);
  }

  private static Arbitrary<String> existing(World w) {
    return Arbitraries.of(List.copyOf(w.sessions.keySet()));
  }

  static final class Save implements Action.Independent<World> {
    @Override
    public Arbitrary<Transformer<World>> transformer() {
      Arbitrary<StoredSession> session =
          Combinators.combine(
                  name(),
                  Arbitraries.of("alice", "bob").injectNull(0.5),
                  Arbitraries.of("x", "y", "z").list().uniqueElements().ofMaxSize(3),
                  Arbitraries.integers().between(0, 7),
                  Arbitraries.longs().between(0, 3600),
                  Arbitraries.longs().between(0, 1L << 40))
              .as(
                  (n, owner, skills, flags, expiry, detached) ->
                      new StoredSession(
                          n,
                          owner,
                          List.copyOf(skills),
                          (flags & 1) != 0,
                          (flags & 2) != 0,
                          (flags & 4) != 0,
                          expiry,
                          detached));
      return session.map(
          s ->
              Transformer.mutate(
                  "save " + s.name(),
                  w -> {
                    w.store.saveSession(s);
                    w.sessions.put(s.name(), s);
                    w.queues.putIfAbsent(s.name(), new ArrayList<>());
                  }));
    }
  }

  static final class Delete implements Action.Dependent<World> {
    @Override
    public boolean precondition(World w) {
      return !w.sessions.isEmpty();
    }

    @Override
    public Arbitrary<Transformer<World>> transformer(World w) {
      return existing(w)
          .map(
              n ->
                  Transformer.mutate(
                      "delete " + n,
                      x -> {
                        x.store.deleteSession(n);
                        x.sessions.remove(n);
                        x.queues.remove(n);
                      }));
    }
  }

  private static void enqueue(World w, String session, Entry e, Message m) {
    w.store.enqueue(session, m);
    List<Entry> q = w.queues.get(session);
    Entry stored = new Entry(m.storeKey(), e.skill(), e.bytes());
    if (!q.contains(stored)) {
      q.add(stored);
    }
    w.known.put(stored.key(), stored);
  }

  static final class Append implements Action.Dependent<World> {
    @Override
    public boolean precondition(World w) {
      return !w.sessions.isEmpty();
    }

    @Override
    public Arbitrary<Transformer<World>> transformer(World w) {
      Arbitrary<List<String>> to = existing(w).list().uniqueElements().ofMinSize(1).ofMaxSize(4);
      Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
      Arbitrary<String> skill = Arbitraries.of("x", "y", "z");
      return Combinators.combine(to, bytes, skill)
          .as(
              (sessions, b, sk) ->
                  Transformer.mutate(
                      "append " + b.length + "B to " + sessions,
                      x -> {
                        Message m =
                            Message.of(sk, Unpooled.wrappedBuffer(b), 1, 1, null, ByteAccount.NONE);
                        Entry e = new Entry(0, sk, b);
                        for (String s : sessions) {
                          enqueue(x, s, e, m);
                        }
                        m.release();
                      }));
    }
  }

  /** An older message (maybe removed everywhere already) queued to one more session. */
  static final class FanOutLater implements Action.Dependent<World> {
    @Override
    public boolean precondition(World w) {
      return !w.sessions.isEmpty() && !w.known.isEmpty();
    }

    @Override
    public Arbitrary<Transformer<World>> transformer(World w) {
      Arbitrary<Entry> old = Arbitraries.of(List.copyOf(w.known.values()));
      return Combinators.combine(old, existing(w))
          .as(
              (e, s) ->
                  Transformer.mutate(
                      "fan out " + e + " to " + s,
                      x -> {
                        Message m =
                            Message.of(
                                e.skill(),
                                Unpooled.wrappedBuffer(e.bytes()),
                                1,
                                1,
                                null,
                                ByteAccount.NONE);
                        m.storeKey(e.key());
                        enqueue(x, s, e, m);
                        m.release();
                      }));
    }
  }

  static final class Remove implements Action.Dependent<World> {
    @Override
    public boolean precondition(World w) {
      return w.queues.values().stream().anyMatch(q -> !q.isEmpty());
    }

    @Override
    public Arbitrary<Transformer<World>> transformer(World w) {
      List<String> nonEmpty =
          w.queues.entrySet().stream()
              .filter(e -> !e.getValue().isEmpty())
              .map(Map.Entry::getKey)
              .toList();
      return Arbitraries.of(nonEmpty)
          .flatMap(
              n -> {
                int size = w.queues.get(n).size();
                // mostly the head (an ack), sometimes anywhere (an overflow drop)
                Arbitrary<Integer> at =
                    Arbitraries.integers()
                        .between(0, 4 * size - 1)
                        .map(i -> i < 3 * size ? 0 : i - 3 * size);
                return at.map(
                    i ->
                        Transformer.mutate(
                            "remove #" + i + " of " + n,
                            x -> {
                              Entry e = x.queues.get(n).remove((int) i);
                              x.store.remove(n, e.key());
                            }));
              });
    }
  }

  /** Compaction now; without deleting, as if killed between the copies' sync and the deletion. */
  static final class Compact implements Action.Independent<World> {
    private final boolean delete;

    Compact(boolean delete) {
      this.delete = delete;
    }

    @Override
    public Arbitrary<Transformer<World>> transformer() {
      return Arbitraries.just(
          Transformer.mutate(
              delete ? "compact" : "compact, crash before deleting, reopen",
              w -> {
                try {
                  w.store.compactNow(delete);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new AssertionError(e);
                }
                if (!delete) {
                  w.reopen();
                }
              }));
    }
  }
}
