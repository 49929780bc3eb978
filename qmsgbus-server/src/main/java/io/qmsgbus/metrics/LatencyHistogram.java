package io.qmsgbus.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A lock-free histogram with fixed, exponential bucket bounds (in seconds, Prometheus style), for
 * timings recorded on the event loops, such as send-to-ack. Fixed buckets keep recording to one
 * array index and one add.
 */
public final class LatencyHistogram {

  /** Upper bounds in seconds: 50 us to 10 s. */
  public static final double[] BOUNDS = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    2.5, 5, 10
  };

  private final LongAdder[] counts = new LongAdder[BOUNDS.length + 1];
  private final LongAdder sumNanos = new LongAdder();

  public LatencyHistogram() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  public void recordNanos(long nanos) {
    double seconds = nanos / 1e9;
    int i = 0;
    while (i < BOUNDS.length && seconds > BOUNDS[i]) {
      i++;
    }
    counts[i].increment();
    sumNanos.add(nanos);
  }

  /** Non-cumulative count of bucket {@code i}; the last bucket is +Inf. */
  public long bucket(int i) {
    return counts[i].sum();
  }

  public int buckets() {
    return counts.length;
  }

  public long count() {
    long n = 0;
    for (LongAdder c : counts) {
      n += c.sum();
    }
    return n;
  }

  public double sumSeconds() {
    return sumNanos.sum() / 1e9;
  }
}
