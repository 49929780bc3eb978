package io.qmsgbus.bench;

import io.qmsgbus.cli.TablePrinter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run, and their two renderings: a table for people and JSON for scripts.
 * Latencies are recorded in nanoseconds and shown in microseconds.
 */
record BenchResult(
    BenchSettings settings,
    String transport,
    int packetSize,
    double measuredSeconds,
    long published,
    long delivered,
    long undelivered,
    long skipped,
    long dropped,
    long errors,
    List<String> errorSamples,
    Histogram latency,
    long serverPid,
    double serverCpuSeconds,
    long serverRssBeforeKb,
    long serverRssAfterConnsKb,
    long serverRssEndKb,
    double serverWaitSeconds,
    double benchCpuSeconds,
    double benchWaitSeconds,
    int benchCores,
    int connsOpened,
    double connectSeconds,
    boolean confirms,
    long confirmed,
    long unconfirmed,
    Histogram confirmLatency) {

  double confirmedPerSecond() {
    return confirmed / measuredSeconds;
  }

  /** Publish-to-confirm latency percentile in microseconds; NaN when nothing was recorded. */
  double confirmMicros(double percentile) {
    return confirmLatency.getTotalCount() == 0
        ? Double.NaN
        : confirmLatency.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxConfirmMicros() {
    return confirmLatency.getTotalCount() == 0 ? Double.NaN : confirmLatency.getMaxValue() / 1000.0;
  }

  double publishedPerSecond() {
    return published / measuredSeconds;
  }

  double deliveredPerSecond() {
    return delivered / measuredSeconds;
  }

  double megabytesPerSecond() {
    return delivered * (double) packetSize / 1e6 / measuredSeconds;
  }

  /** Latency percentile in microseconds; NaN when nothing was recorded. */
  double latencyMicros(double percentile) {
    if (latency.getTotalCount() == 0) {
      return Double.NaN;
    }
    return latency.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxLatencyMicros() {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1000.0;
  }

  double meanLatencyMicros() {
    return latency.getTotalCount() == 0 ? Double.NaN : latency.getMean() / 1000.0;
  }

  /** Server CPU as a percentage of one core over the window; NaN when unknown. */
  double serverCpuPercent() {
    return serverCpuSeconds < 0 ? Double.NaN : serverCpuSeconds / measuredSeconds * 100;
  }

  /** Server CPU-seconds per million delivered packets: the efficiency figure. */
  double serverCpuPerMillion() {
    return serverCpuSeconds < 0 || delivered == 0
        ? Double.NaN
        : serverCpuSeconds / (delivered / 1e6);
  }

  /** Thread-time spent runnable but waiting for a CPU, as % of the window; NaN when unknown. */
  double serverWaitPercent() {
    return serverWaitSeconds < 0 ? Double.NaN : serverWaitSeconds / measuredSeconds * 100;
  }

  double benchWaitPercent() {
    return benchWaitSeconds < 0 ? Double.NaN : benchWaitSeconds / measuredSeconds * 100;
  }

  private static String waitNote(double pct) {
    if (Double.isNaN(pct)) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        "; waited %.0f%% for a CPU%s",
        pct,
        pct > 10 ? " (other load on its core, or its own threads competing)" : "");
  }

  double benchCpuPercent() {
    return benchCpuSeconds < 0 ? Double.NaN : benchCpuSeconds / measuredSeconds * 100;
  }

  /** True when the load generator used (nearly) all the cores it has: its figures cap ours. */
  boolean benchSaturated() {
    return benchCpuPercent() > 90.0 * benchCores;
  }

  /** Server memory growth per idle connection in KB; NaN outside the conns scenario. */
  double serverKbPerConnection() {
    if (connsOpened == 0 || serverRssBeforeKb < 0 || serverRssAfterConnsKb < 0) {
      return Double.NaN;
    }
    return (serverRssAfterConnsKb - serverRssBeforeKb) / (double) connsOpened;
  }

  String table() {
    BenchSettings s = settings;
    StringBuilder out = new StringBuilder();
    // name, value, note: as wide as "  %-14s %-52s %s", wider if a cell needs it
    TablePrinter t =
        TablePrinter.withoutHeader(3).indent("  ").gap(1).minWidth(0, 14).minWidth(1, 52);
    out.append(
        String.format(
            Locale.ROOT,
            "qmsgbus bench %s against %s (%s)\n",
            s.scenario().label(),
            s.target().label(),
            s.receiverUrl().equals(s.url())
                ? s.url()
                : "publishers " + s.url() + ", receivers " + s.receiverUrl()));
    out.append(
        String.format(
            Locale.ROOT,
            "  %d publisher(s), %d receiver(s), %d skill(s), %d-byte packets, %s, window %d/receiver, "
                + "%d client thread(s) (%s), %.1fs warm-up + %.2fs measured\n",
            s.publishers(),
            s.receivers(),
            Math.min(s.skills(), s.receivers()),
            packetSize,
            s.rate() > 0 ? "offered " + si(s.rate()) + "/s" : "as fast as possible",
            s.window(),
            s.threads(),
            transport,
            s.warmupSeconds(),
            measuredSeconds));
    if (s.scenario() == Scenario.CONNS) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %d idle registered connections opened in %.1fs\n",
              connsOpened,
              connectSeconds));
    }
    out.append('\n');
    boolean churn = s.scenario() == Scenario.CHURN;
    if (churn) {
      row(
          t,
          "registers/s",
          si(deliveredPerSecond()),
          delivered + " fresh skills registered and deregistered");
    } else {
      row(t, "published/s", si(publishedPerSecond()), published + " packets");
      row(t, "delivered/s", si(deliveredPerSecond()), delivered + " packets");
      row(t, "MB/s", String.format(Locale.ROOT, "%.1f", megabytesPerSecond()), "delivered payload");
    }
    row(
        t,
        "latency us",
        String.format(
            Locale.ROOT,
            "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
            us(latencyMicros(50)),
            us(latencyMicros(90)),
            us(latencyMicros(99)),
            us(latencyMicros(99.9)),
            us(maxLatencyMicros())),
        latency.getTotalCount()
            + (churn ? " samples, register to its ok" : " samples, send to receive"));
    if (confirms) {
      row(t, "confirmed/s", si(confirmedPerSecond()), confirmed + " packets");
      row(
          t,
          "confirm us",
          String.format(
              Locale.ROOT,
              "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
              us(confirmMicros(50)),
              us(confirmMicros(90)),
              us(confirmMicros(99)),
              us(confirmMicros(99.9)),
              us(maxConfirmMicros())),
          confirmLatency.getTotalCount() + " samples, publish to confirm");
      if (unconfirmed > 0) {
        row(t, "unconfirmed", Long.toString(unconfirmed), "no confirm 3s after publishing stopped");
      }
    }
    row(t, "errors", Long.toString(errors), errors == 0 ? "" : String.join(" | ", errorSamples));
    if (dropped > 0) {
      row(t, "dropped", Long.toString(dropped), "the server dropped packets for slow receivers");
    }
    if (skipped > 0) {
      row(
          t,
          "skipped",
          Long.toString(skipped),
          "sends the offered rate called for that the window or socket did not allow (whole run)");
    }
    if (undelivered > 0) {
      row(
          t,
          "undelivered",
          Long.toString(undelivered),
          "still missing 3s after publishing stopped");
    }
    if (serverCpuSeconds >= 0) {
      row(
          t,
          "server CPU",
          String.format(Locale.ROOT, "%.0f%% of a core", serverCpuPercent()),
          String.format(
              Locale.ROOT,
              "%.2f CPU-s; %.3f CPU-s per million delivered (pid %d)%s",
              serverCpuSeconds,
              serverCpuPerMillion(),
              serverPid,
              waitNote(serverWaitPercent())));
    } else {
      row(t, "server CPU", "n/a", "give --server-pid or --start-server");
    }
    if (serverRssEndKb >= 0) {
      String mem = String.format(Locale.ROOT, "%.1f MB", serverRssEndKb / 1024.0);
      String note = "RSS at the end";
      if (s.scenario() == Scenario.CONNS) {
        mem = String.format(Locale.ROOT, "%.1f KB/connection", serverKbPerConnection());
        note =
            String.format(
                Locale.ROOT,
                "RSS %.1f MB before, %.1f MB with %d connections",
                serverRssBeforeKb / 1024.0,
                serverRssAfterConnsKb / 1024.0,
                connsOpened);
      }
      row(t, "server memory", mem, note);
    }
    row(
        t,
        "bench CPU",
        String.format(Locale.ROOT, "%.0f%% of a core", benchCpuPercent()),
        benchCores
            + " core(s) available"
            + waitNote(benchWaitPercent())
            + (benchSaturated() ? "; SATURATED: the load generator limits these figures" : ""));
    return t.appendTo(out).toString();
  }

  private static void row(TablePrinter t, String name, String value, String note) {
    t.row(name, value, note);
  }

  String json() {
    BenchSettings s = settings;
    List<String> f = new ArrayList<>();
    f.add(q("target") + ":" + q(s.target().label()));
    f.add(q("scenario") + ":" + q(s.scenario().label()));
    f.add(q("url") + ":" + q(s.url().toString()));
    f.add(q("receiver_url") + ":" + q(s.receiverUrl().toString()));
    f.add(q("transport") + ":" + q(transport));
    f.add(q("publishers") + ":" + s.publishers());
    f.add(q("receivers") + ":" + s.receivers());
    f.add(q("skills") + ":" + Math.min(s.skills(), s.receivers()));
    f.add(q("size") + ":" + packetSize);
    f.add(q("rate") + ":" + num(s.rate()));
    f.add(q("window") + ":" + s.window());
    f.add(q("threads") + ":" + s.threads());
    f.add(q("warmup_s") + ":" + num(s.warmupSeconds()));
    f.add(q("duration_s") + ":" + num(measuredSeconds));
    f.add(q("published") + ":" + published);
    f.add(q("delivered") + ":" + delivered);
    f.add(q("published_per_s") + ":" + num(publishedPerSecond()));
    f.add(q("delivered_per_s") + ":" + num(deliveredPerSecond()));
    if (s.scenario() == Scenario.CHURN) {
      // churn counts register/deregister cycles as deliveries; latency_us is register to ok
      f.add(q("registers_per_s") + ":" + num(deliveredPerSecond()));
    }
    f.add(q("mb_per_s") + ":" + num(megabytesPerSecond()));
    f.add(
        q("latency_us")
            + ":{"
            + q("count")
            + ":"
            + latency.getTotalCount()
            + ","
            + q("mean")
            + ":"
            + num(meanLatencyMicros())
            + ","
            + q("p50")
            + ":"
            + num(latencyMicros(50))
            + ","
            + q("p90")
            + ":"
            + num(latencyMicros(90))
            + ","
            + q("p99")
            + ":"
            + num(latencyMicros(99))
            + ","
            + q("p99_9")
            + ":"
            + num(latencyMicros(99.9))
            + ","
            + q("max")
            + ":"
            + num(maxLatencyMicros())
            + "}");
    if (confirms) {
      f.add(q("confirmed") + ":" + confirmed);
      f.add(q("confirmed_per_s") + ":" + num(confirmedPerSecond()));
      f.add(q("unconfirmed") + ":" + unconfirmed);
      f.add(
          q("confirm_latency_us")
              + ":{"
              + q("count")
              + ":"
              + confirmLatency.getTotalCount()
              + ","
              + q("p50")
              + ":"
              + num(confirmMicros(50))
              + ","
              + q("p90")
              + ":"
              + num(confirmMicros(90))
              + ","
              + q("p99")
              + ":"
              + num(confirmMicros(99))
              + ","
              + q("p99_9")
              + ":"
              + num(confirmMicros(99.9))
              + ","
              + q("max")
              + ":"
              + num(maxConfirmMicros())
              + "}");
    }
    f.add(q("errors") + ":" + errors);
    List<String> samples = new ArrayList<>();
    for (String e : errorSamples) {
      samples.add(q(e));
    }
    f.add(q("error_samples") + ":[" + String.join(",", samples) + "]");
    f.add(q("dropped") + ":" + dropped);
    f.add(q("undelivered") + ":" + undelivered);
    f.add(q("skipped") + ":" + skipped);
    f.add(
        q("server")
            + ":{"
            + q("pid")
            + ":"
            + serverPid
            + ","
            + q("cpu_s")
            + ":"
            + num(serverCpuSeconds < 0 ? Double.NaN : serverCpuSeconds)
            + ","
            + q("cpu_pct")
            + ":"
            + num(serverCpuPercent())
            + ","
            + q("cpu_s_per_million_delivered")
            + ":"
            + num(serverCpuPerMillion())
            + ","
            + q("cpu_wait_pct")
            + ":"
            + num(serverWaitPercent())
            + ","
            + q("rss_kb_before")
            + ":"
            + serverRssBeforeKb
            + ","
            + q("rss_kb_with_conns")
            + ":"
            + serverRssAfterConnsKb
            + ","
            + q("rss_kb_end")
            + ":"
            + serverRssEndKb
            + ","
            + q("kb_per_connection")
            + ":"
            + num(serverKbPerConnection())
            + "}");
    f.add(
        q("bench")
            + ":{"
            + q("cpu_s")
            + ":"
            + num(benchCpuSeconds < 0 ? Double.NaN : benchCpuSeconds)
            + ","
            + q("cpu_pct")
            + ":"
            + num(benchCpuPercent())
            + ","
            + q("cpu_wait_pct")
            + ":"
            + num(benchWaitPercent())
            + ","
            + q("cores")
            + ":"
            + benchCores
            + ","
            + q("saturated")
            + ":"
            + benchSaturated()
            + "}");
    f.add(
        q("conns")
            + ":{"
            + q("requested")
            + ":"
            + (s.scenario() == Scenario.CONNS ? s.conns() : 0)
            + ","
            + q("opened")
            + ":"
            + connsOpened
            + ","
            + q("connect_s")
            + ":"
            + num(connectSeconds)
            + "}");
    return "{" + String.join(",", f) + "}";
  }

  /** 1234567 -> "1.23M". */
  static String si(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", v / 1e6);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String us(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  static String num(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "null";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
