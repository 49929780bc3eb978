package io.qmsgbus.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.qmsgbus.cluster.Cluster;
import io.qmsgbus.cluster.ClusterStats;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.metrics.SkillStats;
import io.qmsgbus.session.SessionSnapshot;
import io.qmsgbus.transport.BusServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON API's documents: {@code /api/stats}, {@code /api/clients}, {@code /api/skills}. */
final class AdminJson {

  private static final JsonFactory JSON = new JsonFactory();

  private final BusServer bus;
  private final RateSampler rates;
  private final long startedAtMillis;

  AdminJson(BusServer bus, RateSampler rates, long startedAtMillis) {
    this.bus = bus;
    this.rates = rates;
    this.startedAtMillis = startedAtMillis;
  }

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] render(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * {@code /api/cluster}: this node's Redis link and counters, then every live node's directory
   * line (this one first). A line that is not JSON (written by something else) is left out.
   */
  byte[] cluster(Cluster c, List<String> nodes) {
    ClusterStats st = c.stats();
    return render(
        g -> {
          g.writeStartObject();
          g.writeStringField("node", c.node());
          g.writeStringField("redis", c.redisUrl());
          g.writeStringField("link", st.linkUp() ? "up" : "down");
          if (!st.linkUp()) {
            g.writeNumberField("downSinceMillis", st.downSinceMillis());
          }
          g.writeBooleanField("sharesEventLoops", c.sharesEventLoops());
          g.writeNumberField("subscriptions", c.subscriptions());
          g.writeNumberField("published", st.published.sum());
          g.writeNumberField("publishFailed", st.publishFailed.sum());
          g.writeNumberField("received", st.received.sum());
          g.writeNumberField("gaps", st.gaps.sum());
          g.writeNumberField("gapPackets", st.gapPackets.sum());
          g.writeNumberField("duplicates", st.duplicates.sum());
          g.writeNumberField("outages", st.outages.sum());
          g.writeArrayFieldStart("nodes");
          for (String line : nodes) {
            try (JsonParser p = JSON.createParser(line)) {
              if (p.nextToken() == JsonToken.START_OBJECT) {
                g.copyCurrentStructure(p);
              }
            } catch (IOException notJson) {
              // not ours: leave it out
            }
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** {@code /api/stats}: the bus as a whole. */
  byte[] stats(List<SessionSnapshot> clients, boolean ready, boolean withHistory) {
    BusMetrics m = bus.metrics();
    RateSampler.Rates r = rates.current();
    long now = System.currentTimeMillis();
    return render(
        g -> {
          g.writeStartObject();
          g.writeStringField("wsUrl", bus.url());
          g.writeBooleanField("ready", ready);
          g.writeNumberField("startedAtMillis", startedAtMillis);
          g.writeNumberField("uptimeSeconds", (now - startedAtMillis) / 1000);
          g.writeNumberField("timeMillis", now);

          g.writeObjectFieldStart("connections");
          g.writeNumberField("current", m.connections.get());
          g.writeNumberField("total", m.connectionsTotal.sum());
          g.writeNumberField("refused", m.connectionsRefused.sum());
          g.writeNumberField("max", bus.config().maxConnections());
          g.writeEndObject();

          g.writeObjectFieldStart("packets");
          g.writeNumberField("in", RateSampler.dataIn(m));
          g.writeNumberField("sent", m.packetsDelivered.sum());
          g.writeNumberField("dropped", m.packetsDropped.sum());
          g.writeNumberField("unrouted", m.packetsUnrouted.sum());
          g.writeNumberField("controls", m.controls.sum());
          g.writeNumberField("framesIn", m.packetsIn.sum());
          g.writeEndObject();

          g.writeObjectFieldStart("bytes");
          g.writeNumberField("in", m.bytesIn.sum());
          g.writeNumberField("out", m.bytesOut.sum());
          g.writeEndObject();

          g.writeObjectFieldStart("rates");
          g.writeNumberField("in", round(r.in()));
          g.writeNumberField("out", round(r.out()));
          g.writeNumberField("dropped", round(r.dropped()));
          g.writeNumberField("bytesIn", round(r.bytesIn()));
          g.writeNumberField("bytesOut", round(r.bytesOut()));
          g.writeNumberField("atMillis", r.atMillis());
          g.writeEndObject();

          g.writeObjectFieldStart("errors");
          g.writeNumberField("badInput", m.badInput.sum());
          g.writeNumberField("rateLimited", m.rateLimited.sum());
          g.writeNumberField("refused", m.connectionsRefused.sum());
          g.writeEndObject();

          long queued = 0;
          long queuedBytes = 0;
          int maxDepth = 0;
          int inFlight = 0;
          for (SessionSnapshot s : clients) {
            queued += s.queued();
            queuedBytes += s.queuedBytes();
            maxDepth = Math.max(maxDepth, s.queued());
            inFlight += s.inFlight() ? 1 : 0;
          }
          g.writeObjectFieldStart("queues");
          g.writeNumberField("packets", queued);
          g.writeNumberField("bytes", queuedBytes);
          g.writeNumberField("maxDepth", maxDepth);
          g.writeNumberField("inFlight", inFlight);
          g.writeEndObject();

          g.writeObjectFieldStart("ackLatency");
          g.writeNumberField("count", m.ackLatency.count());
          long count = m.ackLatency.count();
          g.writeNumberField(
              "meanMillis", count == 0 ? 0 : round(m.ackLatency.sumSeconds() * 1000 / count));
          g.writeNumberField(
              "p50Millis", round(BusMetricsExporter.ackQuantileMillis(m.ackLatency, 0.5)));
          g.writeNumberField(
              "p90Millis", round(BusMetricsExporter.ackQuantileMillis(m.ackLatency, 0.9)));
          g.writeNumberField(
              "p99Millis", round(BusMetricsExporter.ackQuantileMillis(m.ackLatency, 0.99)));
          g.writeEndObject();

          g.writeNumberField("skills", bus.router().receiverCounts().size());

          if (withHistory) {
            g.writeArrayFieldStart("history");
            for (RateSampler.Point p : rates.history()) {
              g.writeStartObject();
              g.writeNumberField("t", p.atMillis());
              g.writeNumberField("in", round(p.in()));
              g.writeNumberField("out", round(p.out()));
              g.writeNumberField("dropped", round(p.dropped()));
              g.writeNumberField("connections", p.connections());
              g.writeEndObject();
            }
            g.writeEndArray();
          }
          g.writeEndObject();
        });
  }

  /**
   * {@code /api/clients}: one page of the clients, by id: {@code limit} of them from {@code offset}
   * on; {@code count} and {@code total} are all of them.
   */
  byte[] clients(List<SessionSnapshot> all, int offset, int limit) {
    long now = System.currentTimeMillis();
    int from = Math.min(offset, all.size());
    List<SessionSnapshot> clients = all.subList(from, Math.min(all.size(), from + limit));
    return render(
        g -> {
          g.writeStartObject();
          g.writeNumberField("count", all.size());
          g.writeNumberField("total", all.size());
          g.writeNumberField("offset", from);
          g.writeNumberField("limit", limit);
          g.writeBooleanField("truncated", from + clients.size() < all.size() || from > 0);
          g.writeArrayFieldStart("clients");
          for (SessionSnapshot s : clients) {
            g.writeStartObject();
            g.writeNumberField("id", s.id());
            g.writeStringField("remoteAddress", s.remoteAddress());
            g.writeNumberField("connectedAtMillis", s.connectedAtMillis());
            g.writeStringField(
                "connectedSince", Instant.ofEpochMilli(s.connectedAtMillis()).toString());
            g.writeNumberField(
                "connectedSeconds", Math.max(0, (now - s.connectedAtMillis()) / 1000));
            g.writeArrayFieldStart("skills");
            for (String skill : s.skills().stream().sorted().toList()) {
              g.writeString(skill);
            }
            g.writeEndArray();
            g.writeBooleanField("buffering", s.buffering());
            g.writeBooleanField("fastpush", s.fastpush());
            g.writeBooleanField("inFlight", s.inFlight());
            g.writeNumberField("queued", s.queued());
            g.writeNumberField("queuedBytes", s.queuedBytes());
            g.writeNumberField("sent", s.sent());
            g.writeNumberField("acked", s.acked());
            g.writeNumberField("dropped", s.dropped());
            g.writeNumberField("lastAckAgeMillis", s.lastAckAgeMillis());
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /**
   * {@code /api/sessions}: one page of the named (durable) sessions, by name, attached or not;
   * {@code count} and {@code total} are all of them.
   */
  byte[] sessions(List<SessionSnapshot> all, int offset, int limit) {
    List<SessionSnapshot> named =
        all.stream()
            .filter(s -> s.name() != null)
            .sorted(java.util.Comparator.comparing(SessionSnapshot::name))
            .toList();
    int from = Math.min(offset, named.size());
    List<SessionSnapshot> page = named.subList(from, Math.min(named.size(), from + limit));
    return render(
        g -> {
          g.writeStartObject();
          g.writeNumberField("count", named.size());
          g.writeNumberField("total", named.size());
          g.writeNumberField("offset", from);
          g.writeNumberField("limit", limit);
          g.writeBooleanField("truncated", from + page.size() < named.size() || from > 0);
          g.writeArrayFieldStart("sessions");
          for (SessionSnapshot s : page) {
            g.writeStartObject();
            g.writeStringField("name", s.name());
            if (s.owner() != null) {
              g.writeStringField("owner", s.owner());
            } else {
              g.writeNullField("owner");
            }
            g.writeBooleanField("attached", s.attached());
            g.writeStringField("remoteAddress", s.remoteAddress());
            g.writeNumberField(
                "expiresInSeconds", s.expiresInMillis() < 0 ? -1 : s.expiresInMillis() / 1000);
            g.writeArrayFieldStart("skills");
            for (String skill : s.skills().stream().sorted().toList()) {
              g.writeString(skill);
            }
            g.writeEndArray();
            g.writeBooleanField("fastpush", s.fastpush());
            g.writeBooleanField("inFlight", s.inFlight());
            g.writeNumberField("queued", s.queued());
            g.writeNumberField("queuedBytes", s.queuedBytes());
            g.writeNumberField("sent", s.sent());
            g.writeNumberField("acked", s.acked());
            g.writeNumberField("dropped", s.dropped());
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /**
   * {@code /api/skills}: one page ({@code limit} from {@code offset} on) of the skills that have
   * receivers or have seen traffic, by name; {@code count} and {@code total} are all of them.
   */
  byte[] skills(int offset, int limit) {
    Map<String, Integer> receivers = bus.router().receiverCounts();
    Map<String, SkillStats> stats = bus.metrics().skills();
    TreeMap<String, Boolean> names = new TreeMap<>();
    receivers.keySet().forEach(k -> names.put(k, Boolean.TRUE));
    stats.keySet().forEach(k -> names.put(k, Boolean.TRUE));
    RateSampler.Rates r = rates.current();
    return render(
        g -> {
          g.writeStartObject();
          int from = Math.min(offset, names.size());
          g.writeNumberField("count", names.size());
          g.writeNumberField("total", names.size());
          g.writeNumberField("offset", from);
          g.writeNumberField("limit", limit);
          g.writeBooleanField("truncated", from > 0 || from + limit < names.size());
          g.writeArrayFieldStart("skills");
          for (String name : names.keySet().stream().skip(from).limit(limit).toList()) {
            SkillStats s = stats.get(name);
            double[] rate = r.skill(name);
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeNumberField("receivers", receivers.getOrDefault(name, 0));
            g.writeNumberField("in", s == null ? 0 : s.in.sum());
            g.writeNumberField("out", s == null ? 0 : s.out.sum());
            g.writeNumberField("dropped", s == null ? 0 : s.dropped.sum());
            g.writeNumberField("unrouted", s == null ? 0 : s.unrouted.sum());
            g.writeNumberField("rateIn", round(rate[0]));
            g.writeNumberField("rateOut", round(rate[1]));
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** Two decimals are plenty for rates and milliseconds, and keep the documents small. */
  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
