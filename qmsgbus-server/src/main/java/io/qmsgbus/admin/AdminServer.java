package io.qmsgbus.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.qmsgbus.auth.HostPolicy;
import io.qmsgbus.cluster.Cluster;
import io.qmsgbus.session.SessionSnapshot;
import io.qmsgbus.session.SessionView;
import io.qmsgbus.transport.BusServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP listener: health, Prometheus metrics, the JSON API and the web console, on its own
 * port but served by the bus's own event loops. The work of a request beyond reading and writing
 * (collecting client snapshots, scraping, rendering JSON) runs on one admin thread, so a scrape
 * never holds up the loops that carry packets.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** How long a request waits for client snapshots before answering without the slow ones. */
  static final long SNAPSHOT_TIMEOUT_MILLIS = 2_000;

  private final BusServer bus;
  private final String host;
  private final Channel serverChannel;
  private final ChannelGroup channels =
      new DefaultChannelGroup("admin", GlobalEventExecutor.INSTANCE);
  private final ScheduledThreadPoolExecutor worker;
  private final ScheduledFuture<?> sampling;
  private final RateSampler rates;
  private final BusMetricsExporter exporter;
  private final AdminJson json;
  private final StaticAssets assets = new StaticAssets();
  private final HostPolicy hosts;
  private final AdminToken token;
  private volatile boolean closed;

  private AdminServer(BusServer bus, String host, int port) {
    this.bus = bus;
    this.host = host;
    this.token = AdminToken.fromConfig(bus.config().adminTokenFile(), host); // may throw
    this.hosts = HostPolicy.of(bus.config().allowedHosts(), host);
    this.rates = new RateSampler(bus.metrics());
    this.exporter =
        new BusMetricsExporter(
            bus.metrics(),
            bus.router(),
            bus.config().maxConnections(),
            bus.config().metricsMaxSkills());
    exporter.sessions(bus.sessionRegistry(), bus.store());
    if (bus.cluster() != null) {
      exporter.cluster(bus.cluster());
    }
    this.json = new AdminJson(bus, rates, System.currentTimeMillis());
    this.worker =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "qmsgbus-admin");
              t.setDaemon(true);
              return t;
            });
    worker.setRemoveOnCancelPolicy(true);
    this.sampling = worker.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
    EventLoopGroup loops = bus.eventLoops();
    try {
      this.serverChannel =
          new ServerBootstrap()
              .group(loops, loops)
              .channel(serverChannelType(loops))
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      channels.add(ch);
                      ch.pipeline()
                          .addLast(new IdleStateHandler(0, 0, 120, TimeUnit.SECONDS))
                          .addLast(new HttpServerCodec(4096, 8192, 8192))
                          .addLast(new HttpObjectAggregator(16 * 1024))
                          .addLast(new AdminHandler(AdminServer.this));
                    }
                  })
              .bind(host, port)
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) { // Netty rethrows bind's IOException unchecked
      sampling.cancel(false);
      worker.shutdownNow();
      throw new IllegalStateException(
          "cannot listen on " + host + ":" + port + " (admin): " + e.getMessage(), e);
    }
  }

  /**
   * Binds the admin listener (port 0: a free port) and starts serving; throws {@link
   * IllegalStateException} if the port cannot be bound, if {@code host} is not loopback and no
   * {@code adminTokenFile} is configured, or if that file cannot be read.
   */
  public static AdminServer start(BusServer bus, String host, int port) {
    AdminServer admin = new AdminServer(bus, host, port);
    log.info("admin on {}", admin.url());
    return admin;
  }

  /**
   * Safe by default, as the bus: refuses a non-loopback admin bind without {@code adminTokenFile},
   * and a token file that cannot be read. Runs before anything is bound.
   *
   * @throws IllegalStateException naming the setting
   */
  public static void checkExposure(String adminHost, String adminTokenFile) {
    AdminToken.fromConfig(adminTokenFile, adminHost);
  }

  private static Class<? extends ServerChannel> serverChannelType(EventLoopGroup loops) {
    return loops instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class)
        ? EpollServerSocketChannel.class
        : NioServerSocketChannel.class;
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public String host() {
    return host;
  }

  /** The console's address, e.g. {@code http://127.0.0.1:8082/}. */
  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port() + "/";
  }

  private void sample() {
    try {
      rates.sample();
    } catch (RuntimeException e) {
      log.warn("rate sampling failed", e);
    }
  }

  // --- for the handler ---

  BusServer bus() {
    return bus;
  }

  RateSampler rates() {
    return rates;
  }

  BusMetricsExporter exporter() {
    return exporter;
  }

  AdminJson json() {
    return json;
  }

  /** The admin login, or null when none is configured (loopback only). */
  AdminToken token() {
    return token;
  }

  /** Which {@code Host} headers this listener answers (against DNS rebinding). */
  HostPolicy hosts() {
    return hosts;
  }

  StaticAssets assets() {
    return assets;
  }

  /** The admin thread: snapshots are rendered here, off the bus's event loops. */
  ScheduledThreadPoolExecutor worker() {
    return worker;
  }

  /**
   * Whether the bus takes new connections: running, under its connection limit, and, in a cluster,
   * linked to Redis (a node cut off serves only its own clients, so a balancer should send new ones
   * to a node that reaches the others).
   */
  boolean ready() {
    return notReadyBecause() == null;
  }

  /** Why {@link #ready} is false, or null when it is true. */
  String notReadyBecause() {
    if (closed || !bus.accepting()) {
      return "not accepting connections (stopping)";
    }
    if (bus.metrics().connections.get() >= bus.config().maxConnections()) {
      return "at the connection limit";
    }
    if (bus.cluster() != null && !bus.cluster().stats().linkUp()) {
      return "the cluster's Redis link is down (serving local traffic only)";
    }
    return null;
  }

  /** The cluster's nodes as a JSON document, or null when this node runs alone. */
  CompletableFuture<byte[]> clusterJson() {
    Cluster c = bus.cluster();
    if (c == null) {
      return null;
    }
    return c.nodes().toCompletableFuture().thenApply(nodes -> json.cluster(c, nodes));
  }

  /**
   * Snapshots of every client, by id, each taken on its own event loop; clients that do not answer
   * in time (or went away) are left out.
   */
  /** Ends the named session for good; false if there is none. */
  boolean deleteSession(String name) {
    return bus.sessionRegistry().delete(name);
  }

  CompletableFuture<List<SessionSnapshot>> snapshots() {
    List<CompletableFuture<SessionSnapshot>> futures = new ArrayList<>();
    for (SessionView s : bus.sessions().values()) {
      futures.add(s.snapshot());
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, SNAPSHOT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .handle(
            (ignored, error) -> {
              List<SessionSnapshot> out = new ArrayList<>(futures.size());
              for (CompletableFuture<SessionSnapshot> f : futures) {
                if (f.isDone() && !f.isCompletedExceptionally()) {
                  out.add(f.join());
                }
              }
              out.sort(Comparator.comparingLong(SessionSnapshot::id));
              return out;
            });
  }

  /** Stops listening and closes open admin connections; the event loops are the bus's to stop. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    sampling.cancel(false);
    try {
      if (!bus.eventLoops().isTerminated()) { // else the bus is gone, and its sockets with it
        serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
    } finally {
      worker.shutdownNow();
    }
  }
}
