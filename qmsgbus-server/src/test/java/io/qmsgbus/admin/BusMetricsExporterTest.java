package io.qmsgbus.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.qmsgbus.metrics.LatencyHistogram;
import io.qmsgbus.session.SessionSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces of /metrics and /api/stats that are computed rather than read. */
class BusMetricsExporterTest {

  private static SessionSnapshot client(long id, int queued, boolean inFlight) {
    return new SessionSnapshot(
        id,
        "/127.0.0.1:1",
        0,
        List.of(),
        false,
        false,
        inFlight,
        queued,
        queued * 10L,
        0,
        0,
        0,
        -1,
        null,
        null,
        true,
        -1);
  }

  @Test
  void queueDepthsAreBucketedPerClient() {
    List<MetricSnapshot> m =
        BusMetricsExporter.fromClients(
            List.of(
                client(1, 0, false),
                client(2, 1, true),
                client(3, 7, true),
                client(4, 9000, false)));
    HistogramSnapshot depth = (HistogramSnapshot) m.get(0);
    assertThat(depth.getMetadata().getName()).isEqualTo("qmsgbus_queue_depth");
    assertThat(depth.isGaugeHistogram()).isTrue();
    var buckets = depth.getDataPoints().get(0).getClassicBuckets();
    // per bucket (the writer makes them cumulative): 0 | (0,1] | (5,10] | over 5000
    assertThat(buckets.getCount(0)).isEqualTo(1);
    assertThat(buckets.getCount(1)).isEqualTo(1);
    assertThat(buckets.getCount(2)).isZero();
    assertThat(buckets.getUpperBound(4)).isEqualTo(10);
    assertThat(buckets.getCount(4)).isEqualTo(1);
    assertThat(buckets.getUpperBound(buckets.size() - 1)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(buckets.getCount(buckets.size() - 1)).isEqualTo(1);
    assertThat(depth.getDataPoints().get(0).getCount()).isEqualTo(4);
    assertThat(depth.getDataPoints().get(0).getSum()).isEqualTo(9008);
    assertThat(((GaugeSnapshot) m.get(1)).getDataPoints().get(0).getValue()).isEqualTo(9008);
    assertThat(((GaugeSnapshot) m.get(2)).getDataPoints().get(0).getValue()).isEqualTo(90080);
    assertThat(((GaugeSnapshot) m.get(3)).getDataPoints().get(0).getValue()).isEqualTo(2);
  }

  @Test
  void noClientsIsAnEmptyDistribution() {
    HistogramSnapshot depth = (HistogramSnapshot) BusMetricsExporter.fromClients(List.of()).get(0);
    assertThat(depth.getDataPoints().get(0).getCount()).isZero();
  }

  @Test
  void ackQuantilesInterpolateWithinTheirBucket() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(BusMetricsExporter.ackQuantileMillis(h, 0.5)).isZero();
    for (int i = 0; i < 100; i++) {
      h.recordNanos(700_000); // 0.7 ms: the (0.5 ms, 1 ms] bucket
    }
    double p50 = BusMetricsExporter.ackQuantileMillis(h, 0.5);
    assertThat(p50).isBetween(0.5, 1.0).isCloseTo(0.75, within(0.01));
    h.recordNanos(60_000_000_000L); // a minute: beyond the last bound
    assertThat(BusMetricsExporter.ackQuantileMillis(h, 1.0)).isEqualTo(10_000);
  }
}
