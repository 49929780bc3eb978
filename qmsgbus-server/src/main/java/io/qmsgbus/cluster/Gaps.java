package io.qmsgbus.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node last saw of each other node's numbering, per skill: tells a gap (packets lost
 * between nodes, e.g. while a Redis link was down) and a duplicate from the next packet. Kept per
 * skill from subscribe to unsubscribe, so a subscription that starts mid-stream sees no gap, while
 * one that survives a reconnect sees what the reconnect lost. Entries go with the skill's
 * subscription, so the table is bounded by this node's interest times the nodes.
 */
final class Gaps {

  /** What {@link #observe} makes of a packet. */
  enum Verdict {
    /** The next in line (or the first seen): deliver. */
    IN_ORDER,
    /** Some were skipped before it: deliver, and count the gap. */
    GAP,
    /** Seen before: drop it. */
    DUPLICATE
  }

  private static final class Last {
    long epoch;
    long sequence;
  }

  private final ConcurrentHashMap<String, Map<String, Last>> bySkill = new ConcurrentHashMap<>();

  /** The last verdict's count of skipped packets (valid after {@link Verdict#GAP}). */
  private long missed;

  /**
   * Notes one packet of {@code skill} numbered {@code (epoch, sequence)} by {@code node}. Called on
   * the one thread that reads the subscription (Lettuce's, per connection).
   */
  Verdict observe(String skill, String node, long epoch, long sequence) {
    Map<String, Last> nodes = bySkill.computeIfAbsent(skill, k -> new ConcurrentHashMap<>());
    Last last = nodes.get(node);
    if (last == null) {
      last = new Last();
      last.epoch = epoch;
      last.sequence = sequence;
      nodes.put(node, last);
      return Verdict.IN_ORDER;
    }
    if (epoch != last.epoch) {
      if (epoch < last.epoch) {
        return Verdict.IN_ORDER; // a late one from a counter since replaced: deliver, note nothing
      }
      last.epoch = epoch;
      last.sequence = sequence;
      return Verdict.IN_ORDER;
    }
    if (sequence <= last.sequence) {
      return Verdict.DUPLICATE;
    }
    long skipped = sequence - last.sequence - 1;
    last.sequence = sequence;
    if (skipped > 0) {
      missed = skipped;
      return Verdict.GAP;
    }
    return Verdict.IN_ORDER;
  }

  /** How many were skipped before the packet last judged a {@link Verdict#GAP}. */
  long missed() {
    return missed;
  }

  /** The subscription to {@code skill} ended: the next one starts afresh. */
  void forget(String skill) {
    bySkill.remove(skill);
  }

  /** Every subscription starts afresh (a wildcard one ended: its names are not known). */
  void forgetAll() {
    bySkill.clear();
  }

  int skills() {
    return bySkill.size();
  }
}
