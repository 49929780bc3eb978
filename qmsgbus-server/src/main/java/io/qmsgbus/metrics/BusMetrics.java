package io.qmsgbus.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bus's counters. LongAdder because every event loop bumps them on the per-packet path and a
 * shared AtomicLong would be the one contended cache line between loops.
 */
public final class BusMetrics {

  public final AtomicInteger connections = new AtomicInteger();
  public final LongAdder connectionsTotal = new LongAdder();
  public final LongAdder packetsIn = new LongAdder();
  public final LongAdder bytesIn = new LongAdder();
  public final LongAdder packetsDelivered = new LongAdder();

  /** Bytes of data packets written to receivers (payload bytes, one count per copy sent). */
  public final LongAdder bytesOut = new LongAdder();

  public final LongAdder packetsUnrouted = new LongAdder();
  public final LongAdder packetsDropped = new LongAdder();
  public final LongAdder controls = new LongAdder();
  public final LongAdder badInput = new LongAdder();
  public final LongAdder connectionsRefused = new LongAdder();
  public final LongAdder rateLimited = new LongAdder();

  /** Publishes and registrations refused because the client's identity does not allow them. */
  public final LongAdder denied = new LongAdder();

  /** WebSocket upgrades refused: no or bad credentials (401) or an origin not allowed (403). */
  public final LongAdder authFailures = new LongAdder();

  /** Refused upgrades that were not logged because the failed-login log was over its budget. */
  public final LongAdder authFailuresNotLogged = new LongAdder();

  public final LatencyHistogram ackLatency = new LatencyHistogram();

  public static final String OTHER_SKILLS = "_other";

  private final ConcurrentHashMap<String, SkillStats> skills = new ConcurrentHashMap<>();
  private final SkillStats other = new SkillStats();
  private final int maxSkills;
  private volatile boolean otherListed;

  /** With per-skill counters for at most 1,000 skills (the {@code metricsMaxSkills} default). */
  public BusMetrics() {
    this(1_000);
  }

  /**
   * Per-skill counters are kept for at most {@code maxSkills} skills, and only for skills someone
   * registered for ({@link #track}); everything else is summed under {@link #OTHER_SKILLS}, so a
   * client publishing to invented names can neither grow this map nor push real skills out.
   */
  public BusMetrics(int maxSkills) {
    this.maxSkills = maxSkills;
  }

  /** The counters of {@code name}, or the shared {@code _other} ones if it is not tracked. */
  public SkillStats skill(String name) {
    SkillStats s = skills.get(name);
    if (s != null) {
      return s;
    }
    if (!otherListed) { // listed from its first use on, so a bus without junk shows none
      otherListed = true;
      skills.putIfAbsent(OTHER_SKILLS, other);
    }
    return other;
  }

  /** Gives {@code name} its own counters (a client registered for it), while under the cap. */
  public void track(String name) {
    if (!skills.containsKey(name) && skills.size() - (otherListed ? 1 : 0) < maxSkills) {
      skills.putIfAbsent(name, new SkillStats());
    }
  }

  /** A read-only view of the per-skill counters. */
  public Map<String, SkillStats> skills() {
    return java.util.Collections.unmodifiableMap(skills);
  }

  /** A one-line summary for logs and the CLI. */
  public String summary() {
    return "connections="
        + connections.get()
        + " total="
        + connectionsTotal.sum()
        + " in="
        + packetsIn.sum()
        + " delivered="
        + packetsDelivered.sum()
        + " unrouted="
        + packetsUnrouted.sum()
        + " dropped="
        + packetsDropped.sum()
        + " badInput="
        + badInput.sum();
  }
}
