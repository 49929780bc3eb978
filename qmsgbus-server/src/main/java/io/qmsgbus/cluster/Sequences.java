package io.qmsgbus.cluster;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's packet numbers, one counter per skill, so another node that subscribes to some skills
 * only can still see a gap in each. Publishing through {@link #next} holds the counter's lock while
 * the packet is handed to Redis, so numbers reach Redis in the order they were given even when two
 * event loops publish the same skill at once.
 *
 * <p>Bounded: publishers choose skill names, so past {@code maxCounters} the table is emptied and
 * counters start again under a new epoch (receivers take that as a restart, not a gap).
 */
final class Sequences {

  /** Numbers one skill's packets; its lock orders the hand-off to Redis. */
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
