package io.qmsgbus.bench;

import io.qmsgbus.cli.ConnectionOptions;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qmsgbus bench}: the load generator (issue 4), against QMsgBus or nats-server. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures a bus: packets/s, MB/s and send-to-receive latency",
      "(HdrHistogram), with the server's CPU and memory when its pid is known.",
      "Same client code against QMsgBus and, with --target nats-ws, against",
      "nats-server's WebSocket listener.",
      "",
      "Scenarios:",
      "  fanout  1 publisher -> N receivers on one skill, fast-push",
      "  pubsub  P publishers x R receivers over K skills (4 x 4 x 4), fast-push;",
      "          receiver j registers skill j mod K; publishers rotate over all",
      "  ack     receivers in the default mode (window of one) ack each packet;",
      "          one packet in flight. NATS: ping-pong (the receiver replies",
      "          through the broker, the publisher waits for the reply)",
      "  durable 1 publisher with confirms, at most --window (64) unconfirmed,",
      "          R receivers (1) each on a named session in ACK mode (--fastpush:",
      "          fast-push): confirmed/s, delivered/s, publish->delivery and",
      "          publish->confirm latency; run the server with --data-dir for disk.",
      "          NATS: JetStream (needs jetstream in its config), a stream",
      "          (--storage file|memory), the PubAck as the confirm, durable push",
      "          consumers (max_ack_pending 1, each message acked)",
      "  conns   C idle registered connections: server memory per connection,",
      "          and the latency of a probe stream (--rate, default 1000/s)",
      "  churn   R connections (1) each: register a fresh skill, wait for the ok,",
      "          deregister it, wait for the ok, next: registers/s and the",
      "          register->ok latency (on a cluster node the ok waits for Redis's",
      "          SUBSCRIBE). QMsgBus only; mind maxControlsPerSecond (1,000/client)"
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus bench fanout --receivers 4 --size 100",
      "  qmsgbus bench ack --server-pid $(pgrep -f 'qmsgbus.jar server')",
      "  qmsgbus bench fanout --start-server --server-cpus 0 --plot fanout.svg",
      "  qmsgbus bench pubsub --target nats-ws --url ws://127.0.0.1:4223/ --json",
      "  qmsgbus bench fanout --url ws://127.0.0.1:8080/ --receiver-url ws://127.0.0.1:8081/",
      "  qmsgbus bench --plot both.svg --plot-hist qmsgbus=q.hgrm --plot-hist nats=n.hgrm"
    })
public final class BenchCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SCENARIO",
      description = "fanout, pubsub, ack, durable, conns or churn (default fanout).")
  String scenario = "fanout";

  /** --url (nats-ws: default ws://127.0.0.1:4223/, and QMSGBUS_URL does not apply). */
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--receiver-url",
      paramLabel = "URL",
      description =
          "Where receivers (and conns' idle connections) connect, when not the --url the publishers use: e.g. another node of a QMsgBus cluster (default: --url).")
  URI receiverUrl;

  @Option(names = "--target", description = "qmsgbus or nats-ws (default qmsgbus).")
  String target = "qmsgbus";

  @Option(
      names = "--duration",
      description = "Seconds measured (default ${DEFAULT-VALUE}).",
      defaultValue = "5")
  double duration;

  @Option(
      names = "--warmup",
      description = "Seconds of load before measuring (default ${DEFAULT-VALUE}).",
      defaultValue = "2")
  double warmup;

  @Option(
      names = "--size",
      description = "Packet size in bytes, the whole JSON packet (default ${DEFAULT-VALUE}).",
      defaultValue = "100")
  int size;

  @Option(
      names = "--receivers",
      description =
          "Receivers (fanout default 4, pubsub 4, ack 1, durable 1, conns 1; churn: churning connections, 1).")
  Integer receivers;

  @Option(names = "--publishers", description = "Publishers (pubsub default 4, else 1).")
  Integer publishers;

  @Option(names = "--skills", description = "Skills, pubsub only (default 4).")
  Integer skills;

  @Option(
      names = "--rate",
      description =
          "Packets/s offered by all publishers together; 0 = as fast as possible (default; conns 1000).")
  Double rate;

  @Option(
      names = "--conns",
      description = "Idle registered connections, conns only (default ${DEFAULT-VALUE}).",
      defaultValue = "10000")
  int conns;

  @Option(
      names = "--window",
      description =
          "Copies in flight per receiver before publishers wait (ack default 1, durable 64: also unconfirmed packets, else ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  int window;

  @Option(
      names = "--fastpush",
      description =
          "durable: receivers in fast-push, no acks (NATS: consumers with ack_policy none).")
  boolean fastpush;

  @Option(
      names = "--storage",
      paramLabel = "file|memory",
      description =
          "durable against nats-ws: the JetStream stream's storage (default ${DEFAULT-VALUE}).",
      defaultValue = "file")
  String storage;

  @Option(
      names = "--burst",
      description = "Most packets written per flush (default ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int burst;

  @Option(
      names = "--threads",
      description = "Client event loop threads (default: available cores).")
  Integer threads;

  @Option(
      names = "--server-pid",
      description = "The server's pid, for CPU (/proc/PID/stat) and memory (VmRSS).")
  Long serverPid;

  @Option(
      names = "--start-server",
      description =
          "Start the target server as a child process on a free port (QMsgBus from this jar; nats-server with a WebSocket listener, and for durable JetStream in a temporary directory).")
  boolean startServer;

  @Option(
      names = "--server-cpus",
      paramLabel = "LIST",
      description = "With --start-server: pin the server with taskset -c LIST.")
  String serverCpus;

  @Option(
      names = "--server-jvm-opts",
      paramLabel = "OPTS",
      description = "With --start-server: JVM options for the QMsgBus server.")
  String serverJvmOpts;

  @Option(
      names = "--server-set",
      paramLabel = "KEY=VALUE",
      description =
          "With --start-server: a setting for the QMsgBus server (repeatable), passed as 'qmsgbus server --set KEY=VALUE'; e.g. maxConnectionsPerAddress=20000 for conns.")
  List<String> serverSettings = new ArrayList<>();

  @Option(
      names = "--nats-server",
      paramLabel = "PATH",
      description = "With --start-server: the nats-server binary (default ${DEFAULT-VALUE}).",
      defaultValue = "/usr/sbin/nats-server")
  String natsServer;

  @Option(
      names = "--json",
      description = "Print the result as one JSON object instead of the table.")
  boolean json;

  @Option(
      names = "--hist",
      paramLabel = "FILE",
      description =
          "Write the latency percentile distribution (HdrHistogram format, microseconds).")
  Path hist;

  @Option(
      names = "--plot",
      paramLabel = "FILE",
      description = "Draw the latency distribution: FILE.svg, FILE.html or FILE.png.")
  Path plot;

  @Option(
      names = "--plot-hist",
      paramLabel = "LABEL=FILE",
      description = "Draw these --hist files (repeatable) to --plot instead of running a bench.")
  Map<String, Path> plotHist = new LinkedHashMap<>();

  @Option(names = "--title", description = "Title of the plot.")
  String title;

  @Option(names = "--quiet", description = "No progress bar on stderr.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!plotHist.isEmpty()) {
      return plotOnly(out, err);
    }
    if (connection.securityGiven()) {
      err.println("qmsgbus bench: --token and --ca-cert are not supported (plain ws://, no auth)");
      return 2;
    }
    if (connection.urlsOrEmpty().size() > 1) {
      err.println("qmsgbus bench: one --url only (it measures one server; no failover)");
      return 2;
    }
    BenchSettings settings;
    try {
      settings = settings(null, 0);
    } catch (IllegalArgumentException e) {
      err.println("qmsgbus bench: " + e.getMessage());
      return 2;
    }
    ServerLauncher launched = null;
    try {
      if (startServer) {
        launched =
            ServerLauncher.start(
                settings.target(),
                serverCpus,
                serverJvmOpts,
                serverSettings,
                natsServer,
                settings.scenario() == Scenario.DURABLE);
        settings = settings(launched.url(), launched.pid());
        if (!quiet) {
          err.println(
              "started "
                  + settings.target().label()
                  + " server pid "
                  + launched.pid()
                  + " at "
                  + launched.url());
          err.flush();
        }
      }
      PrintStream progress =
          quiet ? null : new PrintStream(System.err, true, StandardCharsets.UTF_8);
      BenchResult result = new BenchRun(settings, progress).run();
      if (json) {
        out.println(result.json());
      } else {
        out.print(result.table());
      }
      out.flush();
      if (hist != null) {
        try (PrintStream h = new PrintStream(hist.toFile(), StandardCharsets.UTF_8)) {
          result.latency().outputPercentileDistribution(h, 5, 1000.0);
        }
      }
      if (plot != null) {
        String t = title != null ? title : defaultTitle(settings);
        new LatencyPlot(
                t, List.of(LatencyPlot.Series.of(settings.target().label(), result.latency())))
            .write(plot);
      }
      return 0;
    } catch (IllegalStateException | FileNotFoundException e) {
      err.println("qmsgbus bench: " + e.getMessage());
      return 1;
    } finally {
      if (launched != null) {
        launched.close();
      }
    }
  }

  private int plotOnly(PrintWriter out, PrintWriter err) throws Exception {
    if (plot == null) {
      err.println("qmsgbus bench: --plot-hist needs --plot FILE");
      return 2;
    }
    List<LatencyPlot.Series> series = new ArrayList<>();
    for (Map.Entry<String, Path> e : plotHist.entrySet()) {
      series.add(LatencyPlot.Series.read(e.getKey(), e.getValue()));
    }
    new LatencyPlot(title != null ? title : "Latency by percentile", series).write(plot);
    out.println("wrote " + plot);
    return 0;
  }

  private static String defaultTitle(BenchSettings s) {
    return "qmsgbus bench "
        + s.scenario().label()
        + " ("
        + s.target().label()
        + "): latency by percentile";
  }

  /** Resolves the options against the scenario's defaults. */
  BenchSettings settings(URI launchedUrl, long launchedPid) {
    Scenario sc;
    try {
      sc = Scenario.valueOf(scenario.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "SCENARIO must be fanout, pubsub, ack, durable, conns or churn, was '" + scenario + "'");
    }
    Target t = Target.parse(target);
    URI u;
    if (launchedUrl != null) {
      u = launchedUrl;
    } else {
      u =
          URI.create(
              t == Target.NATS_WS
                  ? (connection.explicitUrl() != null
                      ? connection.explicitUrl()
                      : "ws://127.0.0.1:4223/")
                  : connection.url());
    }
    if (sc == Scenario.CHURN && t != Target.QMSGBUS) {
      throw new IllegalArgumentException("churn is QMsgBus only (register/deregister replies)");
    }
    WsClient.check(u, "--url");
    URI ru = receiverUrl != null ? receiverUrl : u;
    WsClient.check(ru, "--receiver-url");
    int r =
        receivers != null
            ? receivers
            : switch (sc) {
              case FANOUT, PUBSUB -> 4;
              case ACK, DURABLE, CONNS, CHURN -> 1;
            };
    int p = publishers != null ? publishers : sc == Scenario.PUBSUB ? 4 : 1;
    int k = skills != null ? skills : sc == Scenario.PUBSUB ? 4 : 1;
    double rt = rate != null ? rate : sc == Scenario.CONNS ? 1000 : 0;
    boolean windowGiven = spec.commandLine().getParseResult().hasMatchedOption("--window");
    int w = windowGiven ? window : sc == Scenario.ACK ? 1 : sc == Scenario.DURABLE ? 64 : window;
    String st = storage.trim().toLowerCase(java.util.Locale.ROOT);
    if (!st.equals("file") && !st.equals("memory")) {
      throw new IllegalArgumentException("--storage must be file or memory, was '" + storage + "'");
    }
    int th = threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
    if (r < 1 || p < 1 || k < 1) {
      throw new IllegalArgumentException("--receivers, --publishers and --skills must be >= 1");
    }
    if (duration <= 0
        || warmup < 0
        || size < 1
        || rt < 0
        || w < 1
        || burst < 1
        || th < 1
        || conns < 0) {
      throw new IllegalArgumentException(
          "--duration must be > 0; --warmup, --rate, --conns >= 0; --size, --window, --burst, --threads >= 1");
    }
    long pid = launchedPid > 0 ? launchedPid : serverPid != null ? serverPid : 0;
    if (pid > 0 && !ProcStat.exists(pid)) {
      throw new IllegalArgumentException("--server-pid " + pid + ": no such process");
    }
    return new BenchSettings(
        sc,
        t,
        u,
        ru,
        duration,
        warmup,
        size,
        p,
        r,
        k,
        sc == Scenario.CONNS ? conns : 0,
        rt,
        w,
        burst,
        th,
        pid,
        fastpush,
        st);
  }
}
