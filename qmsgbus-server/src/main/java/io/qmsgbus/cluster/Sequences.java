package io.qmsgbus.cluster;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's packet numbers, one counter per skill, so another node that subscribes to some skills
 * only can still see a gap in each. {@link RedisLink} numbers packets on its home loop as it sends
 * them (one thread: numbers reach Redis in the order given); a packet that is not sent (link down)
 * is numbered too, from its publisher's thread, so a counter's {@link Counter#next} is called
 * holding the counter's lock.
 *
 * <p>Bounded: publishers choose skill names, so past {@code maxCounters} the table is emptied and
 * counters start again under a new epoch (receivers take that as a restart, not a gap).
 */
final class Sequences {

  /** Numbers one skill's packets (call {@link #next} holding its lock). */
  static final class Counter {
    final long epoch;
    private long last;

    Counter(long epoch) {
      this.epoch = epoch;
    }

    /** The next number; call holding this counter's lock. */
    long next() {
      return ++last;
    }
  }

  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final AtomicLong epochs;
  private final int maxCounters;

  /**
   * @param firstEpoch the first epoch; a clock reading, so that a restarted node's epochs differ
   *     from its last run's
   */
  Sequences(long firstEpoch, int maxCounters) {
    this.epochs = new AtomicLong(firstEpoch);
    this.maxCounters = maxCounters;
  }

  /** The counter of {@code skill} (lock it, then call {@link Counter#next}). */
  Counter counter(String skill) {
    Counter c = counters.get(skill);
    if (c != null) {
      return c;
    }
    if (counters.size() >= maxCounters) {
      counters.clear();
    }
    return counters.computeIfAbsent(skill, k -> new Counter(epochs.incrementAndGet()));
  }

  int size() {
    return counters.size();
  }
}
