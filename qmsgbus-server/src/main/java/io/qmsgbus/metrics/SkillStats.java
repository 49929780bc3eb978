package io.qmsgbus.metrics;

import java.util.concurrent.atomic.LongAdder;

/** Counters for one skill. */
public final class SkillStats {
  /** Data packets published with this skill. */
  public final LongAdder in = new LongAdder();

  /** Copies handed to receivers' queues (one per receiver per packet). */
  public final LongAdder out = new LongAdder();

  /** Copies dropped by a receiver's overflow policy. */
  public final LongAdder dropped = new LongAdder();

  /** Packets nobody was registered for. */
  public final LongAdder unrouted = new LongAdder();
}
