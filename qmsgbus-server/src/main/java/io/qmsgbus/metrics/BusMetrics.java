package io.qmsgbus.metrics;

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
  public final LongAdder packetsUnrouted = new LongAdder();
  public final LongAdder packetsDropped = new LongAdder();
  public final LongAdder controls = new LongAdder();
  public final LongAdder badInput = new LongAdder();
  public final LongAdder connectionsRefused = new LongAdder();

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
