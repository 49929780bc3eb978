package io.qmsgbus.cli;

import static io.qmsgbus.admin.JsonTree.list;
import static io.qmsgbus.admin.JsonTree.number;
import static io.qmsgbus.admin.JsonTree.object;
import static io.qmsgbus.admin.JsonTree.parse;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qmsgbus stats}: the admin API's figures as tables in the terminal. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Shows a running bus's figures: connections, message rates, drops, queues, ACK latency,",
      "skills and clients. Reads the admin listener's JSON API (/api/stats, /api/skills,",
      "/api/clients), so the server must run with its admin listener on."
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus stats",
      "  qmsgbus stats --watch",
      "  qmsgbus stats --admin-url http://10.0.0.5:8082 --clients 50",
      "  qmsgbus stats --json | jq .stats.rates"
    })
final class StatsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--admin-url",
      defaultValue = "http://127.0.0.1:8082",
      description = "The admin listener (default ${DEFAULT-VALUE}).")
  String adminUrl;

  @Option(names = "--watch", description = "Refresh until interrupted.")
  boolean watch;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "1",
      description = "Seconds between refreshes with --watch (default ${DEFAULT-VALUE}).")
  double interval;

  @Option(
      names = "--clients",
      paramLabel = "N",
      defaultValue = "20",
      description =
          "List at most N clients, busiest queues first; 0 = none (default ${DEFAULT-VALUE}).")
  int maxClients;

  @Option(names = "--json", description = "Print the three documents as one JSON object instead.")
  boolean json;

  @Option(
      names = "--admin-token-file",
      paramLabel = "FILE",
      description = "Send the admin token in FILE (the server's adminTokenFile) as a Bearer token.")
  java.nio.file.Path adminTokenFile;

  private String bearer;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (interval <= 0 || maxClients < 0) {
      err.println("qmsgbus stats: --interval must be > 0 and --clients >= 0");
      return 2;
    }
    String base = adminUrl.endsWith("/") ? adminUrl : adminUrl + "/";
    try {
      URI.create(base);
    } catch (IllegalArgumentException e) {
      err.println("qmsgbus stats: bad --admin-url: " + e.getMessage());
      return 2;
    }
    if (adminTokenFile != null) {
      try {
        bearer = java.nio.file.Files.readString(adminTokenFile).strip();
      } catch (IOException e) {
        err.println("qmsgbus stats: cannot read --admin-token-file " + adminTokenFile + ": " + e);
        return 2;
      }
    }
    try {
      do {
        String screen;
        int status = 0;
        try {
          screen = render(base);
        } catch (IOException | IllegalArgumentException e) {
          screen = "qmsgbus stats: cannot read " + base + "api/stats: " + message(e) + "\n";
          status = 1;
        }
        if (!watch) {
          (status == 0 ? out : err).print(screen);
          out.flush();
          err.flush();
          return status;
        }
        out.print("\033[H\033[2J"); // home, clear screen
        out.print(screen);
        out.flush();
        Thread.sleep((long) (interval * 1000));
      } while (!Thread.currentThread().isInterrupted());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static String message(Exception e) {
    if (e instanceof java.net.ConnectException) {
      return "connection refused (is the server running, with its admin listener on?)";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private String get(String url) throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
    if (bearer != null) {
      req.header("Authorization", "Bearer " + bearer);
    }
    HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " from " + url);
    }
    return r.body();
  }

  private String render(String base) throws IOException, InterruptedException {
    String statsJson = get(base + "api/stats");
    String skillsJson = get(base + "api/skills");
    String clientsJson = get(base + "api/clients");
    if (json) {
      return "{\"stats\":"
          + statsJson
          + ",\"skills\":"
          + skillsJson
          + ",\"clients\":"
          + clientsJson
          + "}\n";
    }
    Map<String, Object> stats = object(parse(statsJson));
    Map<String, Object> skills = object(parse(skillsJson));
    Map<String, Object> clients = object(parse(clientsJson));
    StringBuilder sb = new StringBuilder();
    overview(sb, stats);
    sb.append('\n');
    skillTable(sb, list(skills.get("skills")));
    if (maxClients > 0) {
      sb.append('\n');
      clientTable(sb, list(clients.get("clients")), number(clients.get("count")));
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ sections

  private static void overview(StringBuilder sb, Map<String, Object> s) {
    Map<String, Object> c = object(s.get("connections"));
    Map<String, Object> p = object(s.get("packets"));
    Map<String, Object> r = object(s.get("rates"));
    Map<String, Object> q = object(s.get("queues"));
    Map<String, Object> a = object(s.get("ackLatency"));
    Map<String, Object> e = object(s.get("errors"));
    sb.append("QMsgBus ")
        .append(s.get("wsUrl"))
        .append("  up ")
        .append(duration(number(s.get("uptimeSeconds"))))
        .append("  ")
        .append(Boolean.TRUE.equals(s.get("ready")) ? "ready" : "NOT READY")
        .append("  ")
        .append(java.time.LocalTime.now().withNano(0))
        .append('\n');
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "connections",
          integer(c.get("current")),
          integer(c.get("total"))
              + " opened, "
              + integer(c.get("refused"))
              + " refused, max "
              + integer(c.get("max"))
        });
    rows.add(
        new String[] {
          "in",
          rate(r.get("in")) + "/s",
          integer(p.get("in")) + " packets, " + bytes(number(r.get("bytesIn"))) + "/s"
        });
    boolean bytesOut = number(object(s.get("bytes")).get("out")) > 0; // once the server counts them
    rows.add(
        new String[] {
          "out",
          rate(r.get("out")) + "/s",
          integer(p.get("sent"))
              + " packets"
              + (bytesOut ? ", " + bytes(number(r.get("bytesOut"))) + "/s" : "")
        });
    rows.add(
        new String[] {
          "dropped",
          integer(p.get("dropped")),
          rate(r.get("dropped"))
              + "/s now, "
              + integer(p.get("unrouted"))
              + " unrouted (no receiver)"
        });
    rows.add(
        new String[] {
          "queued",
          integer(q.get("packets")),
          bytes(number(q.get("bytes")))
              + ", deepest "
              + integer(q.get("maxDepth"))
              + ", "
              + integer(q.get("inFlight"))
              + " in flight"
        });
    rows.add(
        new String[] {
          "ack latency",
          number(a.get("count")) == 0 ? "-" : millis(number(a.get("p50Millis"))) + " p50",
          number(a.get("count")) == 0
              ? "no acks yet"
              : millis(number(a.get("p99Millis"))) + " p99, " + integer(a.get("count")) + " acks"
        });
    rows.add(
        new String[] {
          "errors",
          integer(
              number(e.get("badInput")) + number(e.get("rateLimited")) + number(e.get("refused"))),
          integer(e.get("badInput"))
              + " bad input, "
              + integer(e.get("rateLimited"))
              + " rate limited, "
              + integer(e.get("refused"))
              + " refused"
        });
    table(sb, new String[] {"", "", ""}, new boolean[] {false, true, false}, rows, false);
  }

  private static void skillTable(StringBuilder sb, List<Object> skills) {
    if (skills.isEmpty()) {
      sb.append("no skills yet\n");
      return;
    }
    List<String[]> rows = new ArrayList<>();
    for (Object o : skills) {
      Map<String, Object> s = object(o);
      rows.add(
          new String[] {
            String.valueOf(s.get("name")),
            integer(s.get("receivers")),
            rate(s.get("rateIn")),
            rate(s.get("rateOut")),
            integer(s.get("in")),
            integer(s.get("out")),
            integer(s.get("dropped")),
            integer(s.get("unrouted"))
          });
    }
    table(
        sb,
        new String[] {"SKILL", "RECEIVERS", "IN/S", "OUT/S", "IN", "OUT", "DROPPED", "UNROUTED"},
        new boolean[] {false, true, true, true, true, true, true, true},
        rows,
        true);
  }

  private void clientTable(StringBuilder sb, List<Object> clients, double count) {
    if (clients.isEmpty()) {
      sb.append("no clients connected\n");
      return;
    }
    List<Map<String, Object>> sorted = new ArrayList<>();
    clients.forEach(o -> sorted.add(object(o)));
    // busiest first: the deepest queues, then the most sent
    sorted.sort(
        (x, y) -> {
          int byQueue = Double.compare(number(y.get("queued")), number(x.get("queued")));
          return byQueue != 0
              ? byQueue
              : Double.compare(number(y.get("sent")), number(x.get("sent")));
        });
    List<String[]> rows = new ArrayList<>();
    for (Map<String, Object> c : sorted.subList(0, Math.min(maxClients, sorted.size()))) {
      List<String> flags = new ArrayList<>();
      if (Boolean.TRUE.equals(c.get("buffering"))) {
        flags.add("buffering");
      }
      if (Boolean.TRUE.equals(c.get("fastpush"))) {
        flags.add("fastpush");
      }
      double lastAck = number(c.get("lastAckAgeMillis"));
      rows.add(
          new String[] {
            "#" + integer(c.get("id")),
            String.valueOf(c.get("remoteAddress")).replaceFirst("^/", ""),
            list(c.get("skills")).isEmpty()
                ? "-"
                : String.join(",", list(c.get("skills")).stream().map(String::valueOf).toList()),
            flags.isEmpty() ? "-" : String.join(",", flags),
            integer(c.get("queued")),
            Boolean.TRUE.equals(c.get("inFlight")) ? "yes" : "no",
            integer(c.get("sent")),
            integer(c.get("acked")),
            integer(c.get("dropped")),
            lastAck < 0
                ? "never"
                : lastAck < 1000 ? integer(lastAck) + " ms" : duration(lastAck / 1000) + " ago",
            duration(number(c.get("connectedSeconds")))
          });
    }
    table(
        sb,
        new String[] {
          "CLIENT",
          "ADDRESS",
          "SKILLS",
          "FLAGS",
          "QUEUE",
          "IN-FLIGHT",
          "SENT",
          "ACKED",
          "DROPPED",
          "LAST ACK",
          "CONNECTED"
        },
        new boolean[] {false, false, false, false, true, false, true, true, true, true, true},
        rows,
        true);
    if (count > rows.size()) {
      sb.append("(")
          .append(rows.size())
          .append(" of ")
          .append(integer(count))
          .append(" clients; --clients N for more)\n");
    }
  }

  /** Left- or right-aligned columns, two spaces apart (a {@link TablePrinter}). */
  private static void table(
      StringBuilder sb, String[] head, boolean[] right, List<String[]> rows, boolean withHead) {
    TablePrinter t =
        withHead ? TablePrinter.withHeader(head) : TablePrinter.withoutHeader(head.length);
    for (int i = 0; i < right.length; i++) {
      if (right[i]) {
        t.alignRight(i);
      }
    }
    rows.forEach(t::row);
    t.appendTo(sb);
  }

  // ------------------------------------------------------------------ formatting

  private static String integer(Object o) {
    return integer(number(o));
  }

  private static String integer(double v) {
    return String.format(Locale.ROOT, "%,d", Math.round(v));
  }

  private static String rate(Object o) {
    double v = number(o);
    return v == 0 ? "0" : v < 10 ? String.format(Locale.ROOT, "%.1f", v) : integer(v);
  }

  private static String millis(double ms) {
    return ms < 10
        ? String.format(Locale.ROOT, "%.2f ms", ms)
        : String.format(Locale.ROOT, "%.0f ms", ms);
  }

  static String bytes(double b) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    int i = 0;
    while (b >= 1024 && i < units.length - 1) {
      b /= 1024;
      i++;
    }
    return i == 0 ? Math.round(b) + " B" : String.format(Locale.ROOT, "%.1f %s", b, units[i]);
  }

  static String duration(double secondsValue) {
    long s = Math.max(0, (long) secondsValue);
    long d = s / 86400;
    long h = s % 86400 / 3600;
    long m = s % 3600 / 60;
    if (d > 0) {
      return d + "d " + h + "h";
    }
    if (h > 0) {
      return h + "h " + m + "m";
    }
    if (m > 0) {
      return m + "m " + s % 60 + "s";
    }
    return s + "s";
  }
}
