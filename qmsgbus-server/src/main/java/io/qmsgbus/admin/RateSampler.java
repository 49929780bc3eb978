package io.qmsgbus.admin;

import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.metrics.SkillStats;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the bus's counters into per-second rates: {@link #sample} runs once a second (on the admin
 * thread), compares the counters with the previous sample and keeps the result, plus a short
 * history for the console's chart. Reads only; the hot path counts nothing extra for it.
 */
final class RateSampler {

  /** Samples kept for the chart (a sample a second: five minutes). */
  static final int HISTORY = 300;

  /** Rates over the last interval, per second; {@code skills} by skill name. */
  record Rates(
      long atMillis,
      double in,
      double out,
      double dropped,
      double bytesIn,
      double bytesOut,
      Map<String, double[]> skills) {

    static final Rates ZERO = new Rates(System.currentTimeMillis(), 0, 0, 0, 0, 0, Map.of());

    /** {in, out} per second for one skill; zeros when the skill saw nothing lately. */
    double[] skill(String name) {
      double[] r = skills.get(name);
      return r != null ? r : new double[2];
    }
  }

  /** One point of the chart's history. */
  record Point(long atMillis, double in, double out, double dropped, int connections) {}

  private final BusMetrics metrics;
  private final ArrayDeque<Point> history = new ArrayDeque<>();
  private volatile Rates current = Rates.ZERO;

  // previous counters; touched only by sample(), which runs on one thread
  private long lastNanos;
  private long lastIn;
  private long lastOut;
  private long lastDropped;
  private long lastBytesIn;
  private long lastBytesOut;
  private Map<String, long[]> lastSkills = new HashMap<>();

  RateSampler(BusMetrics metrics) {
    this.metrics = metrics;
    lastNanos = System.nanoTime();
    lastIn = dataIn(metrics);
    lastOut = metrics.packetsDelivered.sum();
    lastDropped = metrics.packetsDropped.sum();
    lastBytesIn = metrics.bytesIn.sum();
    lastBytesOut = metrics.bytesOut.sum();
    metrics.skills().forEach((k, v) -> lastSkills.put(k, new long[] {v.in.sum(), v.out.sum()}));
  }

  /** Data packets published (the sum of the per-skill "in" counters). */
  static long dataIn(BusMetrics metrics) {
    long n = 0;
    for (SkillStats s : metrics.skills().values()) {
      n += s.in.sum();
    }
    return n;
  }

  void sample() {
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
    lastNanos = now;
    Map<String, long[]> skillsNow = new HashMap<>();
    Map<String, double[]> skillRates = new HashMap<>();
    long in = 0;
    for (Map.Entry<String, SkillStats> e : metrics.skills().entrySet()) {
      long[] c = {e.getValue().in.sum(), e.getValue().out.sum()};
      in += c[0];
      skillsNow.put(e.getKey(), c);
      long[] before = lastSkills.getOrDefault(e.getKey(), new long[2]);
      if (c[0] != before[0] || c[1] != before[1]) {
        skillRates.put(
            e.getKey(), new double[] {(c[0] - before[0]) / seconds, (c[1] - before[1]) / seconds});
      }
    }
    lastSkills = skillsNow;
    long out = metrics.packetsDelivered.sum();
    long dropped = metrics.packetsDropped.sum();
    long bytesIn = metrics.bytesIn.sum();
    long bytesOut = metrics.bytesOut.sum();
    Rates r =
        new Rates(
            System.currentTimeMillis(),
            (in - lastIn) / seconds,
            (out - lastOut) / seconds,
            (dropped - lastDropped) / seconds,
            (bytesIn - lastBytesIn) / seconds,
            (bytesOut - lastBytesOut) / seconds,
            Map.copyOf(skillRates));
    lastIn = in;
    lastOut = out;
    lastDropped = dropped;
    lastBytesIn = bytesIn;
    lastBytesOut = bytesOut;
    current = r;
    synchronized (history) {
      history.addLast(
          new Point(r.atMillis(), r.in(), r.out(), r.dropped(), metrics.connections.get()));
      while (history.size() > HISTORY) {
        history.removeFirst();
      }
    }
  }

  Rates current() {
    return current;
  }

  List<Point> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }
}
