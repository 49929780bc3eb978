package io.qmsgbus.admin;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import io.qmsgbus.cluster.Cluster;
import io.qmsgbus.cluster.ClusterStats;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.metrics.LatencyHistogram;
import io.qmsgbus.metrics.SkillStats;
import io.qmsgbus.routing.Router;
import io.qmsgbus.session.SessionRegistry;
import io.qmsgbus.session.SessionSnapshot;
import io.qmsgbus.store.SessionStore;
import io.qmsgbus.store.StoreStats;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The bus's Prometheus metrics ({@code qmsgbus_*}) and the JVM's, in one registry. Every bus metric
 * is a callback that reads {@link BusMetrics} (or the router) when scraped, so the hot path counts
 * each event once, in BusMetrics, and nowhere else.
 *
 * <p>The per-client figures (queue depths, in-flight) come from session snapshots, which are taken
 * asynchronously on each client's event loop; {@link #scrape} takes those snapshots as an argument
 * and adds the metrics made from them to the registry's.
 */
final class BusMetricsExporter {

  /** Upper bounds of the queue-depth distribution, in packets. */
  static final double[] QUEUE_DEPTH_BOUNDS = {0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000};

  private final PrometheusRegistry registry = new PrometheusRegistry();

  /** The label of the series that sums the skills past {@code metricsMaxSkills}. */
  static final String OTHER = "_other";

  private final int maxSkills;
  private final Router router;
  private final BusMetrics metrics;

  BusMetricsExporter(BusMetrics m, Router router, int maxConnections) {
    this(m, router, maxConnections, 1000);
  }

  /**
   * @param maxSkills skills with their own per-skill series (the first by name of those with a
   *     receiver); the others are summed under {@code skill="_other"}
   */
  BusMetricsExporter(BusMetrics m, Router router, int maxConnections, int maxSkills) {
    this.maxSkills = maxSkills;
    this.router = router;
    this.metrics = m;
    JvmMetrics.builder().register(registry);

    GaugeWithCallback.builder()
        .name("qmsgbus_connections")
        .help("WebSocket connections open now.")
        .callback(cb -> cb.call(m.connections.get()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("qmsgbus_connections_max")
        .help("The configured maximum of connections held at once.")
        .callback(cb -> cb.call(maxConnections))
        .register(registry);
    counter(
        "qmsgbus_connections_opened", "Connections accepted since start.", m.connectionsTotal::sum);
    CounterWithCallback.builder()
        .name("qmsgbus_errors")
        .help(
            "Errors by kind: bad_input (rejected packets), rate_limited (packets over a"
                + " client's rate, not forwarded), connection_refused (over a connection limit).")
        .labelNames("kind")
        .callback(
            cb -> {
              cb.call(m.badInput.sum(), "bad_input");
              cb.call(m.rateLimited.sum(), "rate_limited");
              cb.call(m.connectionsRefused.sum(), "connection_refused");
            })
        .register(registry);

    counter(
        "qmsgbus_frames_in",
        "WebSocket data frames received (data, control and bad).",
        m.packetsIn::sum);
    counter("qmsgbus_controls", "Control packets applied.", m.controls::sum);
    counter(
        "qmsgbus_packets_sent",
        "Data packets written to receivers (all skills).",
        m.packetsDelivered::sum);
    CounterWithCallback.builder()
        .name("qmsgbus_received_bytes")
        .unit(Unit.BYTES)
        .help("Bytes of WebSocket frame payloads received.")
        .callback(cb -> cb.call(m.bytesIn.sum()))
        .register(registry);
    CounterWithCallback.builder()
        .name("qmsgbus_sent_bytes")
        .unit(Unit.BYTES)
        .help("Bytes of data packets written to receivers.")
        .callback(cb -> cb.call(m.bytesOut.sum()))
        .register(registry);

    GaugeWithCallback.builder()
        .name("qmsgbus_registrations")
        .help("Clients registered for each skill.")
        .labelNames("skill")
        .callback(
            cb -> {
              java.util.Set<String> own = ownSeries();
              long other = 0;
              boolean any = false;
              for (java.util.Map.Entry<String, Integer> e : router.receiverCounts().entrySet()) {
                if (own.contains(e.getKey())) {
                  cb.call(e.getValue(), e.getKey());
                } else {
                  other += e.getValue();
                  any = true;
                }
              }
              if (any) {
                cb.call(other, OTHER);
              }
            })
        .register(registry);
    perSkill(m, "qmsgbus_packets_in", "Data packets published, per skill.", s -> s.in.sum());
    perSkill(
        m,
        "qmsgbus_packets_out",
        "Copies of data packets queued for receivers, per skill (one per receiver).",
        s -> s.out.sum());
    perSkill(
        m,
        "qmsgbus_packets_dropped",
        "Copies dropped by a full receiver queue's overflow policy, per skill.",
        s -> s.dropped.sum());
    perSkill(
        m,
        "qmsgbus_packets_unrouted",
        "Data packets nobody was registered for, per skill.",
        s -> s.unrouted.sum());

    registry.register(new AckLatency(m.ackLatency));
  }

  /** The Redis link of a node in a cluster: its state, what crossed it, what it lost. */
  void cluster(Cluster cluster) {
    ClusterStats c = cluster.stats();
    GaugeWithCallback.builder()
        .name("qmsgbus_cluster_link_up")
        .help("1 while both Redis connections (publish, subscribe) are up, else 0.")
        .callback(cb -> cb.call(c.linkUp() ? 1 : 0))
        .register(registry);
    GaugeWithCallback.builder()
        .name("qmsgbus_cluster_subscriptions")
        .help("Skills this node is subscribed to in Redis now.")
        .callback(cb -> cb.call(cluster.subscriptions()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("qmsgbus_cluster_pending_bytes")
        .help("Bytes handed to Redis and not yet acknowledged (bound: clusterMaxPendingBytes).")
        .callback(cb -> cb.call(c.pendingBytes.get()))
        .register(registry);
    counter(
        "qmsgbus_cluster_published",
        "Data packets handed to Redis for other nodes and acknowledged.",
        c.published::sum);
    counter(
        "qmsgbus_cluster_publish_failed",
        "Data packets not sent to other nodes (link down, a bound reached, Redis refused).",
        c.publishFailed::sum);
    counter(
        "qmsgbus_cluster_received",
        "Data packets from other nodes delivered to this node's receivers.",
        c.received::sum);
    counter(
        "qmsgbus_cluster_gap_packets",
        "Packets from other nodes that never arrived, counted from gaps in their numbers.",
        c.gapPackets::sum);
    counter("qmsgbus_cluster_gaps", "Gaps seen in other nodes' numbering.", c.gaps::sum);
    counter(
        "qmsgbus_cluster_duplicates",
        "Packets from other nodes seen twice and dropped.",
        c.duplicates::sum);
    counter(
        "qmsgbus_cluster_outages", "Times the Redis subscription link went down.", c.outages::sum);
  }

  /** Durable sessions and their store: counts, what is stored, how long syncs take. */
  void sessions(SessionRegistry sessions, SessionStore store) {
    GaugeWithCallback.builder()
        .name("qmsgbus_sessions")
        .help("Named (durable) sessions now, by state: attached to a connection or detached.")
        .labelNames("state")
        .callback(
            cb -> {
              long[] n = sessions.namedCounts();
              cb.call(n[0], "attached");
              cb.call(n[1], "detached");
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("qmsgbus_store_messages")
        .help("Messages held in the store now (0 without dataDir).")
        .callback(cb -> cb.call(store.usage().messages()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("qmsgbus_store_bytes")
        .unit(Unit.BYTES)
        .help("Record bytes of the messages held in the store now.")
        .callback(cb -> cb.call(store.usage().bytes()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("qmsgbus_store_segments")
        .help("Segment files of the store on disk now.")
        .callback(cb -> cb.call(store.usage().segments()))
        .register(registry);
    registry.register(new FsyncLatency(store.stats()));
  }

  /** The store's sync times, from its fixed buckets. */
  private static final class FsyncLatency implements Collector {
    private final StoreStats s;

    FsyncLatency(StoreStats s) {
      this.s = s;
    }

    @Override
    public MetricSnapshot collect() {
      int n = s.fsyncBuckets();
      double[] bounds = new double[n];
      long[] counts = new long[n];
      for (int i = 0; i < n; i++) {
        bounds[i] =
            i < StoreStats.FSYNC_BOUNDS.length
                ? StoreStats.FSYNC_BOUNDS[i]
                : Double.POSITIVE_INFINITY;
        counts[i] = s.fsyncBucket(i);
      }
      return HistogramSnapshot.builder()
          .name("qmsgbus_store_fsync_seconds")
          .help("Time the store's syncs to disk take (one per group-committed batch).")
          .unit(Unit.SECONDS)
          .dataPoint(
              HistogramDataPointSnapshot.builder()
                  .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                  .sum(s.fsyncSumSeconds())
                  .build())
          .build();
    }
  }

  private void counter(String name, String help, java.util.function.LongSupplier value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(value.getAsLong()))
        .register(registry);
  }

  private void perSkill(BusMetrics m, String name, String help, ToLongFunction<SkillStats> f) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("skill")
        .callback(
            cb -> {
              java.util.Set<String> own = ownSeries();
              long other = 0;
              boolean any = false;
              for (java.util.Map.Entry<String, SkillStats> e : m.skills().entrySet()) {
                if (own.contains(e.getKey())) {
                  cb.call(f.applyAsLong(e.getValue()), e.getKey());
                } else {
                  other += f.applyAsLong(e.getValue());
                  any = true;
                }
              }
              if (any) {
                cb.call(other, OTHER);
              }
            })
        .register(registry);
  }

  /**
   * The skills with their own series: all of them while there are at most {@code maxSkills};
   * otherwise those with receivers first, then the others, each by name, {@code maxSkills} in all.
   */
  private java.util.Set<String> ownSeries() {
    java.util.Set<String> receivers = router.receiverCounts().keySet();
    java.util.Set<String> seen = metrics.skills().keySet();
    java.util.Set<String> all = new java.util.HashSet<>(receivers);
    all.addAll(seen);
    if (all.size() <= maxSkills) {
      return all;
    }
    java.util.Set<String> own = new java.util.HashSet<>();
    receivers.stream().sorted().limit(maxSkills).forEach(own::add);
    seen.stream()
        .filter(k -> !receivers.contains(k))
        .sorted()
        .limit(Math.max(0, maxSkills - own.size()))
        .forEach(own::add);
    return own;
  }

  /** Everything: the registry's metrics, then those made from the given client snapshots. */
  MetricSnapshots scrape(List<SessionSnapshot> clients) {
    List<MetricSnapshot> all = new ArrayList<>();
    registry.scrape().forEach(all::add);
    all.addAll(fromClients(clients));
    return new MetricSnapshots(all);
  }

  static List<MetricSnapshot> fromClients(List<SessionSnapshot> clients) {
    long[] buckets = new long[QUEUE_DEPTH_BOUNDS.length + 1];
    long queued = 0;
    long queuedBytes = 0;
    int inFlight = 0;
    for (SessionSnapshot s : clients) {
      int i = 0;
      while (i < QUEUE_DEPTH_BOUNDS.length && s.queued() > QUEUE_DEPTH_BOUNDS[i]) {
        i++;
      }
      buckets[i]++;
      queued += s.queued();
      queuedBytes += s.queuedBytes();
      if (s.inFlight()) {
        inFlight++;
      }
    }
    double[] bounds = new double[buckets.length];
    System.arraycopy(QUEUE_DEPTH_BOUNDS, 0, bounds, 0, QUEUE_DEPTH_BOUNDS.length);
    bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
    return List.of(
        HistogramSnapshot.builder()
            .name("qmsgbus_queue_depth")
            .help("Clients by the number of packets waiting in their queue, now.")
            .gaugeHistogram(true)
            .dataPoint(
                HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, buckets))
                    .sum(queued)
                    .build())
            .build(),
        gauge("qmsgbus_queued_packets", "Packets waiting in all client queues, now.", queued),
        gauge("qmsgbus_queued_bytes", "Bytes waiting in all client queues, now.", queuedBytes),
        gauge(
            "qmsgbus_clients_in_flight",
            "Clients with a packet sent and not yet acked, now.",
            inFlight));
  }

  private static GaugeSnapshot gauge(String name, String help, double value) {
    return GaugeSnapshot.builder()
        .name(name)
        .help(help)
        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build())
        .build();
  }

  /** The send-to-ack histogram, read from the bus's fixed-bucket {@link LatencyHistogram}. */
  private static final class AckLatency implements Collector {
    private final LatencyHistogram h;

    AckLatency(LatencyHistogram h) {
      this.h = h;
    }

    @Override
    public MetricSnapshot collect() {
      int n = h.buckets();
      double[] bounds = new double[n];
      long[] counts = new long[n];
      long total = 0;
      for (int i = 0; i < n; i++) {
        bounds[i] =
            i < LatencyHistogram.BOUNDS.length
                ? LatencyHistogram.BOUNDS[i]
                : Double.POSITIVE_INFINITY;
        counts[i] = h.bucket(i);
        total += counts[i];
      }
      return HistogramSnapshot.builder()
          .name("qmsgbus_ack_latency_seconds")
          .help("Time from sending a packet to a client to its ack (ACK-paced delivery).")
          .unit(Unit.SECONDS)
          .dataPoint(
              HistogramDataPointSnapshot.builder()
                  .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                  .sum(total > 0 ? h.sumSeconds() : 0)
                  .build())
          .build();
    }
  }

  /** For the JSON API: the rough quantile q of the send-to-ack time, in milliseconds. */
  static double ackQuantileMillis(LatencyHistogram h, double q) {
    long total = h.count();
    if (total == 0) {
      return 0;
    }
    double rank = q * total;
    long cumulative = 0;
    for (int i = 0; i < h.buckets(); i++) {
      long c = h.bucket(i);
      if (cumulative + c >= rank && c > 0) {
        if (i >= LatencyHistogram.BOUNDS.length) {
          return LatencyHistogram.BOUNDS[LatencyHistogram.BOUNDS.length - 1] * 1000;
        }
        double lower = i == 0 ? 0 : LatencyHistogram.BOUNDS[i - 1];
        double upper = LatencyHistogram.BOUNDS[i];
        return (lower + (upper - lower) * (rank - cumulative) / c) * 1000;
      }
      cumulative += c;
    }
    return LatencyHistogram.BOUNDS[LatencyHistogram.BOUNDS.length - 1] * 1000;
  }
}
