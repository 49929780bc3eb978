package io.qmsgbus.cluster;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What the Redis link did, for {@code /metrics}, {@code /api/cluster} and tests. */
public final class ClusterStats {

  /** Packets handed to Redis and acknowledged by it. */
  public final LongAdder published = new LongAdder();

  /** Packets not sent to other nodes: link down, a bound reached, or Redis refused. */
  public final LongAdder publishFailed = new LongAdder();

  /** Packets from other nodes delivered here. */
  public final LongAdder received = new LongAdder();

  /** Packets from other nodes that never arrived, counted from gaps in their numbering. */
  public final LongAdder gapPackets = new LongAdder();

  /** Gaps seen (each one or more packets). */
  public final LongAdder gaps = new LongAdder();

  /** Packets from other nodes seen twice and dropped. */
  public final LongAdder duplicates = new LongAdder();

  /** Messages on our channels that were not envelopes of this version. */
  public final LongAdder malformed = new LongAdder();

  /** Times the subscription link went down. */
  public final LongAdder outages = new LongAdder();

  /** Bytes handed to Redis and not yet acknowledged. */
  public final AtomicLong pendingBytes = new AtomicLong();

  /** When the current outage began (epoch millis), 0 while the link is up. */
  volatile long downSinceMillis;

  /** Whether both Redis connections (publish, subscribe) are up. */
  volatile boolean linkUp;

  public boolean linkUp() {
    return linkUp;
  }

  /** When the link went down (epoch millis), or 0 while it is up. */
  public long downSinceMillis() {
    return downSinceMillis;
  }
}
