package io.qmsgbus.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a store reports for {@code /metrics}: how long its syncs take (fixed buckets, so recording
 * is two atomic adds on the writer thread) and what it holds now.
 */
public final class StoreStats {

  /** Upper bounds of the sync-time buckets, in seconds; one more bucket holds the rest. */
  public static final double[] FSYNC_BOUNDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1
  };

  /** What is stored now: live messages, their record bytes, and segment files on disk. */
  public record Usage(long messages, long bytes, long segments) {}

  private final AtomicLongArray buckets = new AtomicLongArray(FSYNC_BOUNDS.length + 1);
  private final AtomicLong nanos = new AtomicLong();

  void synced(long tookNanos) {
    double s = tookNanos / 1e9;
    int i = 0;
    while (i < FSYNC_BOUNDS.length && s > FSYNC_BOUNDS[i]) {
      i++;
    }
    buckets.incrementAndGet(i);
    nanos.addAndGet(tookNanos);
  }

  public int fsyncBuckets() {
    return buckets.length();
  }

  public long fsyncBucket(int i) {
    return buckets.get(i);
  }

  public double fsyncSumSeconds() {
    return nanos.get() / 1e9;
  }
}
