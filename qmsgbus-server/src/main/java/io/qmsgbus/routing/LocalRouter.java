package io.qmsgbus.routing;

import io.qmsgbus.message.Message;
import io.qmsgbus.skill.SkillName;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-process routing table. Reads (one per data packet) vastly outnumber writes (register,
 * deregister, disconnect), so each skill maps to an immutable array replaced on change: publish is
 * one lock-free map lookup and a plain array walk.
 *
 * <p>Wildcard registrations ({@code sensors.*}, {@code sensors.>}) live in a {@link PatternTrie}.
 * While there are none, publish is the exact lookup alone. Once there are, the receivers of a name
 * (exact and wildcard, each receiver once however many of its registrations match) are computed on
 * the first packet of that name and cached; any registration change starts a new generation, so a
 * cached answer is used only if nothing changed since it was computed. The cache is bounded: past
 * {@link #MAX_CACHED} names it is emptied.
 */
public final class LocalRouter implements Router {

  private static final Receiver[] NONE = new Receiver[0];

  /** Names whose wildcard answer is cached at most. */
  static final int MAX_CACHED = 65_536;

  private final ConcurrentHashMap<String, Receiver[]> table = new ConcurrentHashMap<>();

  private final PatternTrie trie = new PatternTrie(); // guarded by itself
  private final ConcurrentHashMap<String, Integer> patterns = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  private volatile long generation;
  private volatile boolean anyPatterns; // patterns.isEmpty() without a CHM count per packet

  private record Cached(long generation, Receiver[] receivers) {}

  @Override
  public boolean subscribe(String skill, Receiver receiver) {
    if (SkillName.isPattern(skill)) {
      boolean added;
      synchronized (trie) {
        added = trie.add(skill.split("\\.", -1), receiver);
        if (added) {
          patterns.merge(skill, 1, Integer::sum);
        }
        anyPatterns = !patterns.isEmpty();
        generation++;
      }
      cache.clear();
      return added;
    }
    boolean added = subscribeExact(skill, receiver);
    if (added && anyPatterns) {
      newGeneration();
    }
    return added;
  }

  private void newGeneration() {
    synchronized (trie) {
      generation++;
    }
  }

  @Override
  public boolean unsubscribe(String skill, Receiver receiver) {
    if (SkillName.isPattern(skill)) {
      boolean removed;
      synchronized (trie) {
        removed = trie.remove(skill.split("\\.", -1), receiver);
        if (removed) {
          patterns.computeIfPresent(skill, (k, n) -> n == 1 ? null : n - 1);
        }
        anyPatterns = !patterns.isEmpty();
        generation++;
      }
      cache.clear();
      return removed;
    }
    boolean removed = unsubscribeExact(skill, receiver);
    if (removed && anyPatterns) {
      newGeneration();
    }
    return removed;
  }

  /**
   * Every receiver of {@code name}: its exact receivers, and, while there are wildcard
   * registrations, those whose pattern matches, each once.
   */
  private Receiver[] receiversOf(String name) {
    if (!anyPatterns || SkillName.isInbox(name)) { // a wildcard never reaches an inbox
      return table.get(name);
    }
    long g = generation;
    Cached c = cache.get(name);
    if (c != null && c.generation() == g) {
      return c.receivers();
    }
    Set<Receiver> all = Collections.newSetFromMap(new IdentityHashMap<>());
    long computedIn;
    synchronized (trie) {
      computedIn = generation;
      trie.match(name, all::add);
      Receiver[] now = table.get(name); // under the lock: no change is half seen
      if (now != null) {
        Collections.addAll(all, now);
      }
    }
    Receiver[] merged = all.isEmpty() ? null : all.toArray(NONE);
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    cache.put(name, new Cached(computedIn, merged));
    return merged;
  }

  private boolean subscribeExact(String skill, Receiver receiver) {
    boolean[] added = {false};
    table.compute(
        skill,
        (k, current) -> {
          Receiver[] now = current == null ? NONE : current;
          for (Receiver r : now) {
            if (r == receiver) {
              return now;
            }
          }
          Receiver[] next = Arrays.copyOf(now, now.length + 1);
          next[now.length] = receiver;
          added[0] = true;
          return next;
        });
    return added[0];
  }

  private boolean unsubscribeExact(String skill, Receiver receiver) {
    boolean[] removed = {false};
    table.computeIfPresent(
        skill,
        (k, current) -> {
          for (int i = 0; i < current.length; i++) {
            if (current[i] == receiver) {
              removed[0] = true;
              if (current.length == 1) {
                return null; // the skill disappears with its last receiver
              }
              Receiver[] next = new Receiver[current.length - 1];
              System.arraycopy(current, 0, next, 0, i);
              System.arraycopy(current, i + 1, next, i, current.length - i - 1);
              return next;
            }
          }
          return current;
        });
    return removed[0];
  }

  @Override
  public int publish(Message message) {
    Receiver[] receivers = receiversOf(message.skill());
    if (receivers == null) {
      return 0;
    }
    // one message for all: each receiver gets a reference, not a copy. Retained one at a time, so
    // a receiver that throws leaves no reference behind for the ones after it.
    for (Receiver r : receivers) {
      r.offer(message.retain());
    }
    return receivers.length;
  }

  /** Whether {@code skill} (a name or a pattern) is registered by at least one receiver. */
  @Override
  public boolean hasReceivers(String skill) {
    return table.containsKey(skill) || patterns.containsKey(skill);
  }

  /** Distinct names and patterns registered. */
  @Override
  public int skillCount() {
    return table.size() + patterns.size();
  }

  /** Receivers per registered name or pattern. */
  @Override
  public Map<String, Integer> receiverCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    table.forEach((skill, receivers) -> counts.put(skill, receivers.length));
    counts.putAll(patterns);
    return counts;
  }

  /** Tells every receiver of {@code skill} that packets from {@code node} were lost. */
  public void gap(String skill, String node, long missed) {
    Receiver[] receivers = receiversOf(skill);
    if (receivers != null) {
      for (Receiver r : receivers) {
        r.gap(skill, node, missed);
      }
    }
  }
}
