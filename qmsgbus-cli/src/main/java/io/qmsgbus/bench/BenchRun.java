package io.qmsgbus.bench;

import io.netty.channel.ChannelFuture;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One run of one scenario: lays out the connections, connects them, warms up, measures for the set
 * duration, drains, and returns the figures. Counting is by time: a packet counts as published if
 * it was sent inside the window, as delivered if it arrived inside it, and its latency is recorded
 * when it arrived inside it.
 */
final class BenchRun {

  private static final int MAX_ERROR_SAMPLES = 10;
  private static final int CONNECT_CONCURRENCY = 256;

  private final BenchSettings s;
  private final PrintStream progress;
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
  private final List<Receiver> receivers = new ArrayList<>();
  private final List<Publisher> publishers = new ArrayList<>();
  private final List<Receiver> idle = new ArrayList<>();
  private final List<Receiver> setup = new ArrayList<>();
  private Flow flow;

  volatile long measureStart = Long.MAX_VALUE;
  volatile long measureEnd = Long.MAX_VALUE;
  private volatile boolean stopping;
  private volatile boolean closing;

  /**
   * @param progress where the progress bar goes (stderr), or null for none
   */
  BenchRun(BenchSettings settings, PrintStream progress) {
    this.s = settings;
    this.progress = progress;
  }

  BenchSettings settings() {
    return s;
  }

  Flow flow() {
    return flow;
  }

  boolean stopping() {
    return stopping;
  }

  boolean closing() {
    return closing;
  }

  void error(String what) {
    errors.incrementAndGet();
    if (errorSamples.size() < MAX_ERROR_SAMPLES) {
      errorSamples.add(what);
    }
  }

  /** The server said it dropped packets for a slow client (QMsgBus drop notice). */
  void dropped(long count, String what) {
    dropped.addAndGet(count);
    if (errorSamples.size() < MAX_ERROR_SAMPLES) {
      errorSamples.add(what);
    }
  }

  BenchResult run() throws Exception {
    String serverPid = s.serverPid() > 0 ? Long.toString(s.serverPid()) : null;
    layout();
    try (WsClient client = new WsClient(s.threads())) {
      try {
        if (!setup.isEmpty()) {
          connectAll(client, setup, "JetStream setup", true, s.url());
        }
        connectAll(client, receivers, "receivers", true, s.receiverUrl());
        connectAll(client, publishers, "publishers", true, s.url());
        long rssBefore = serverPid == null ? -1 : ProcStat.rssKb(serverPid);
        long connectStart = System.nanoTime();
        int opened = 0;
        if (!idle.isEmpty()) {
          opened = connectAll(client, idle, "idle connections", false, s.receiverUrl());
          pause(1000); // let the server settle (allocations, first GC) before reading memory
        }
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        long rssAfterConns = serverPid == null ? -1 : ProcStat.rssKb(serverPid);

        long now = System.nanoTime();
        long warmupNanos = (long) (s.warmupSeconds() * 1e9);
        long durationNanos = (long) (s.durationSeconds() * 1e9);
        measureStart = now + warmupNanos;
        measureEnd = measureStart + durationNanos;
        for (Publisher p : publishers) {
          p.start();
        }
        showProgress("warm-up", now, measureStart);
        double serverCpu0 = serverPid == null ? -1 : ProcStat.cpuSeconds(serverPid);
        double benchCpu0 = ProcStat.cpuSeconds("self");
        double serverWait0 = serverPid == null ? -1 : ProcStat.runQueueWaitSeconds(serverPid);
        double benchWait0 = ProcStat.runQueueWaitSeconds("self");
        long t0 = System.nanoTime();
        showProgress("measure", measureStart, measureEnd);
        double serverCpu1 = serverPid == null ? -1 : ProcStat.cpuSeconds(serverPid);
        double benchCpu1 = ProcStat.cpuSeconds("self");
        double serverWait1 = serverPid == null ? -1 : ProcStat.runQueueWaitSeconds(serverPid);
        double benchWait1 = ProcStat.runQueueWaitSeconds("self");
        double measured = (System.nanoTime() - t0) / 1e9;
        long rssEnd = serverPid == null ? -1 : ProcStat.rssKb(serverPid);
        stopping = true;
        for (Publisher p : publishers) {
          p.stop();
        }
        long undelivered = drain();

        long published = 0;
        long skipped = 0;
        long confirmed = 0;
        Histogram confirmLatency = new Histogram(3);
        for (Publisher p : publishers) {
          published += onLoop(p, p::published);
          skipped += onLoop(p, p::skipped);
          confirmed += onLoop(p, p::confirmed);
          confirmLatency.add(onLoop(p, () -> p.confirmLatency().copy()));
        }
        long unconfirmed = flow.unconfirmed();
        long delivered = 0;
        Histogram latency = new Histogram(3);
        for (Receiver r : receivers) {
          delivered += onLoop(r, r::delivered);
          Histogram h = onLoop(r, () -> r.histogram().copy());
          latency.add(h);
        }
        for (Receiver r : idle) {
          delivered += onLoop(r, r::delivered);
        }
        closing = true;
        if (progress != null) {
          progress.print("\r" + " ".repeat(100) + "\r");
          progress.flush();
        }
        return new BenchResult(
            s,
            client.transport(),
            template(skillNames()[0]).length(),
            measured,
            published,
            delivered,
            undelivered,
            skipped,
            dropped.get(),
            errors.get(),
            List.copyOf(errorSamples),
            latency,
            s.serverPid(),
            serverCpu0 < 0 || serverCpu1 < 0 ? -1 : serverCpu1 - serverCpu0,
            rssBefore,
            rssAfterConns,
            rssEnd,
            serverWait0 < 0 || serverWait1 < 0 ? -1 : serverWait1 - serverWait0,
            benchCpu0 < 0 || benchCpu1 < 0 ? -1 : benchCpu1 - benchCpu0,
            benchWait0 < 0 || benchWait1 < 0 ? -1 : benchWait1 - benchWait0,
            Runtime.getRuntime().availableProcessors(),
            opened,
            connectSeconds,
            s.scenario() == Scenario.DURABLE,
            confirmed,
            unconfirmed,
            confirmLatency);
      } finally {
        stopping = true;
        closing = true;
      }
    }
  }

  /** The scenario's packet for {@code skill} (durable: with an id, for confirms). */
  Payload template(String skill) {
    return s.scenario() == Scenario.DURABLE
        ? Payload.ofWithId(skill, s.size())
        : Payload.of(skill, s.size());
  }

  /** The JetStream stream of {@code durable} against NATS. */
  static final String STREAM = "BENCH";

  /**
   * {@code durable}: one publisher with confirms; each receiver on its own named session (QMsgBus)
   * or durable push consumer (JetStream, after a setup connection has made a fresh stream).
   */
  private void layoutDurable() {
    String skill = skillNames()[0];
    int stampOffset = template(skill).tOffset();
    boolean nats = s.target() == Target.NATS_WS;
    boolean acking = !s.fastpush();
    if (nats) {
      List<NatsWire.Request> make =
          List.of(
              new NatsWire.Request("$JS.API.STREAM.DELETE." + STREAM, "", true),
              new NatsWire.Request(
                  "$JS.API.STREAM.CREATE." + STREAM,
                  JetStreamJson.streamConfig(STREAM, skill, s.storage()),
                  false));
      setup.add(
          new Receiver(
              this,
              "jetstream-setup",
              c -> new NatsWire(c, List.of(), make, null),
              null,
              false,
              stampOffset,
              null));
    }
    for (int j = 0; j < s.receivers(); j++) {
      String session = "bench-r" + j;
      String deliver = "bench.deliver." + j;
      java.util.function.Function<BenchConn, Wire> wire =
          nats
              ? c ->
                  new NatsWire(
                      c,
                      List.of(deliver),
                      List.of(
                          new NatsWire.Request(
                              "$JS.API.CONSUMER.DURABLE.CREATE." + STREAM + "." + session,
                              JetStreamJson.pushConsumer(
                                  STREAM, session, deliver, skill, acking ? 1 : 0),
                              false)),
                      null)
              : c -> new QmsgbusWire(c, List.of(skill), s.fastpush(), false);
      receivers.add(
          new Receiver(
              this,
              "receiver-" + j,
              wire,
              nats ? null : session,
              acking,
              stampOffset,
              new Histogram(3)));
    }
    String inbox = "_INBOX.bench.publisher-0.c.";
    publishers.add(
        new Publisher(
            this,
            "publisher-0",
            new String[] {skill},
            new int[] {s.receivers()},
            s.size(),
            null,
            s.rate(),
            s.burst(),
            s.window(),
            c ->
                nats
                    ? new NatsWire(c, List.of(), List.of(), inbox)
                    : new QmsgbusWire(c, List.of(), false, true)));
    flow =
        new Flow(
            (long) s.window() * s.receivers(),
            s.window(),
            s.receivers(),
            publishers,
            receivers,
            false);
  }

  /** {@code churn}: one churning connection per receiver, no publishers. */
  private void layoutChurn() {
    double perConnection = s.rate() / s.receivers();
    for (int j = 0; j < s.receivers(); j++) {
      String prefix = "churn." + j + ".";
      receivers.add(
          new Receiver(
              this,
              "churner-" + j,
              c -> new ChurnWire(c, prefix, perConnection),
              null,
              false,
              0,
              new Histogram(3)));
    }
    flow = new Flow(1, 1, publishers, receivers, false);
  }

  /** Creates the connections the scenario calls for (not yet connected). */
  private void layout() {
    if (s.scenario() == Scenario.DURABLE) {
      layoutDurable();
      return;
    }
    if (s.scenario() == Scenario.CHURN) {
      layoutChurn();
      return;
    }
    String[] skills = skillNames();
    int k = skills.length;
    int stampOffset = Payload.of(skills[0], s.size()).tOffset();
    boolean ack = s.scenario() == Scenario.ACK;
    boolean natsAck = ack && s.target() == Target.NATS_WS;
    int[] fan = new int[k];
    for (int j = 0; j < s.receivers(); j++) {
      String skill = skills[j % k];
      fan[j % k]++;
      receivers.add(
          new Receiver(
              this, "receiver-" + j, List.of(skill), !ack, ack, stampOffset, new Histogram(3)));
    }
    int maxFan = 1;
    for (int f : fan) {
      maxFan = Math.max(maxFan, f);
    }
    double ratePerPublisher = s.rate() / s.publishers();
    for (int i = 0; i < s.publishers(); i++) {
      String[] mine;
      int[] myFan;
      if (s.scenario() == Scenario.PUBSUB) {
        mine = new String[k];
        myFan = new int[k];
        for (int j = 0; j < k; j++) {
          mine[j] = skills[(i + j) % k];
          myFan[j] = fan[(i + j) % k];
        }
      } else {
        mine = new String[] {skills[0]};
        myFan = new int[] {fan[0]};
      }
      publishers.add(
          new Publisher(
              this,
              "publisher-" + i,
              mine,
              myFan,
              s.size(),
              natsAck ? "bench.reply." + i : null,
              ratePerPublisher,
              s.burst()));
    }
    if (s.scenario() == Scenario.CONNS) {
      int width = Integer.toString(Math.max(0, s.conns() - 1)).length();
      for (int c = 0; c < s.conns(); c++) {
        String skill = String.format(Locale.ROOT, "idle.%0" + width + "d", c);
        idle.add(new Receiver(this, "idle-" + c, List.of(skill), false, false, stampOffset, null));
      }
    }
    flow = new Flow((long) s.window() * s.receivers(), maxFan, publishers, receivers, natsAck);
  }

  /** Fixed-width names, so every packet of a run has the same size and stamp offset. */
  String[] skillNames() {
    if (s.scenario() != Scenario.PUBSUB) {
      return new String[] {"bench"};
    }
    int k = Math.min(s.skills(), s.receivers());
    int width = Integer.toString(k - 1).length();
    String[] names = new String[k];
    for (int i = 0; i < k; i++) {
      names[i] = String.format(Locale.ROOT, "bench.%0" + width + "d", i);
    }
    return names;
  }

  /**
   * Connects with at most {@link #CONNECT_CONCURRENCY} handshakes in flight. {@code required}: any
   * failure aborts the run; otherwise failures are counted as errors. Returns how many connected.
   * {@code url}: the server they connect to ({@code --url}, or {@code --receiver-url} for
   * receivers).
   */
  private int connectAll(
      WsClient client, List<? extends BenchConn> conns, String what, boolean required, URI url)
      throws Exception {
    Semaphore permits = new Semaphore(CONNECT_CONCURRENCY);
    List<CompletableFuture<Void>> all = new ArrayList<>(conns.size());
    long start = System.nanoTime();
    long lastShown = 0;
    for (BenchConn c : conns) {
      permits.acquire();
      c.ready.whenComplete((v, e) -> permits.release());
      ChannelFuture f = client.connect(c, url);
      f.addListener(
          done -> {
            if (!done.isSuccess()) {
              c.ready.completeExceptionally(done.cause());
            }
          });
      all.add(c.ready);
      long now = System.nanoTime();
      if (progress != null && conns.size() > 100 && now - lastShown > 200_000_000L) {
        lastShown = now;
        progress.printf(
            Locale.ROOT,
            "\rconnecting %s: %d/%d (%.1fs)   ",
            what,
            all.size(),
            conns.size(),
            (now - start) / 1e9);
        progress.flush();
      }
    }
    long timeoutSeconds = 30 + conns.size() / 200;
    int ok = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    for (int i = 0; i < all.size(); i++) {
      try {
        all.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        ok++;
      } catch (ExecutionException | TimeoutException e) {
        String why =
            e instanceof TimeoutException
                ? "not ready in " + timeoutSeconds + "s"
                : String.valueOf(e.getCause());
        if (required) {
          throw new IllegalStateException(
              "cannot connect " + conns.get(i).name + " to " + url + ": " + why, e);
        }
        error(conns.get(i).name + ": " + why);
      }
    }
    if (progress != null && conns.size() > 100) {
      progress.print("\r" + " ".repeat(80) + "\r");
    }
    return ok;
  }

  /** Waits for packets still in flight; returns how many never arrived. */
  private long drain() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    long left;
    while (((left = flow.outstanding()) > 0 || flow.unconfirmed() > 0)
        && System.nanoTime() < deadline) {
      pause(10);
    }
    return Math.max(0, left);
  }

  /** Shows the progress bar until {@code until}. */
  private void showProgress(String phase, long from, long until) {
    long lastSent = sent();
    long lastReceived = received();
    long lastTime = System.nanoTime();
    while (true) {
      long now = System.nanoTime();
      if (now >= until) {
        return;
      }
      pause(Math.min(250, Math.max(1, (until - now) / 1_000_000)));
      if (progress == null) {
        continue;
      }
      now = System.nanoTime();
      long sentNow = sent();
      long receivedNow = received();
      double dt = (now - lastTime) / 1e9;
      double pubRate = (sentNow - lastSent) / dt;
      double delRate = (receivedNow - lastReceived) / dt;
      lastSent = sentNow;
      lastReceived = receivedNow;
      lastTime = now;
      double fraction = Math.min(1.0, (double) (now - from) / Math.max(1, until - from));
      int width = 30;
      int filled = (int) Math.round(fraction * width);
      progress.printf(
          Locale.ROOT,
          "\r%-7s [%s%s] %5.1fs  pub %s/s  recv %s/s  errors %d   ",
          phase,
          "#".repeat(filled),
          ".".repeat(width - filled),
          (until - now) / 1e9,
          BenchResult.si(pubRate),
          BenchResult.si(delRate),
          errors.get());
      progress.flush();
    }
  }

  private long sent() {
    long n = 0;
    for (Publisher p : publishers) {
      n += p.sentSeen();
    }
    return n;
  }

  private long received() {
    long n = 0;
    for (Receiver r : receivers) {
      n += r.receivedSeen();
    }
    return n;
  }

  /** Runs {@code read} on the connection's event loop, where its counters live. */
  static <T> T onLoop(BenchConn c, Callable<T> read) throws Exception {
    if (c.channel == null) {
      return read.call();
    }
    return c.channel.eventLoop().submit(read).get(10, TimeUnit.SECONDS);
  }

  private static void pause(long millis) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
