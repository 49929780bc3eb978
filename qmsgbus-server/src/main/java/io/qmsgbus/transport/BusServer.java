package io.qmsgbus.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.qmsgbus.auth.Authenticator;
import io.qmsgbus.auth.HostPolicy;
import io.qmsgbus.cluster.Cluster;
import io.qmsgbus.cluster.NodeReport;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.postoffice.PostOffice;
import io.qmsgbus.postoffice.QueueBudget;
import io.qmsgbus.protocol.PacketClassifier;
import io.qmsgbus.routing.LocalRouter;
import io.qmsgbus.routing.Router;
import io.qmsgbus.session.ClientSession;
import io.qmsgbus.session.SessionRegistry;
import io.qmsgbus.session.SessionView;
import io.qmsgbus.store.FsyncPolicy;
import io.qmsgbus.store.MemoryStore;
import io.qmsgbus.store.SegmentLogStore;
import io.qmsgbus.store.SessionStore;
import io.qmsgbus.store.StoreOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus server: binds, serves, and shuts down cleanly. {@link #start} returns once the port is
 * listening, so tests and embedders can connect right away.
 */
public final class BusServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BusServer.class);

  private final ServerConfig config;
  private final BusContext bus;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final String transportName;
  private final Authenticator auth;
  private final SessionStore store;
  private final Cluster cluster;
  private volatile boolean closed;

  private BusServer(ServerConfig config) {
    this.config = config;
    checkExposure(config);
    try { // the origin list's syntax is auth's to know; config depends on nothing
      io.qmsgbus.auth.OriginPolicy.validate(config.allowedOrigins());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("allowedOrigins: " + e.getMessage(), e);
    }
    try {
      io.qmsgbus.auth.HostPolicy.validate(config.allowedHosts());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("allowedHosts: " + e.getMessage(), e);
    }
    BusMetrics metrics = new BusMetrics(config.metricsMaxSkills());
    this.auth = Authenticator.fromConfig(config, metrics); // before any thread: may throw
    SslContext ssl = null;
    if (config.tlsEnabled()) {
      try {
        ssl = TlsSetup.serverContext(config.tlsCert(), config.tlsKey());
      } catch (RuntimeException e) {
        auth.close();
        throw e;
      }
    }
    boolean epoll = Epoll.isAvailable() && !"nio".equals(System.getProperty("qmsgbus.transport"));
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.transportName = epoll ? "epoll" : "nio";
    this.boss = new MultiThreadIoEventLoopGroup(1, io);
    this.workers = new MultiThreadIoEventLoopGroup(ioThreads(config), io);
    ChannelGroup channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    SessionStore own = config.clusterEnabled() ? null : openStore(config); // may throw
    LocalRouter local = new LocalRouter();
    QueueBudget budget = new QueueBudget(config.maxTotalQueuedBytes());
    this.cluster = joinCluster(config, local, budget, metrics);
    this.store = cluster != null ? cluster.store() : own; // in a cluster, sessions live in Redis
    Router router = cluster == null ? local : cluster.router();
    PostOffice postOffice = new PostOffice(config, router, metrics, budget);
    SessionRegistry sessions =
        new SessionRegistry(
            router,
            metrics,
            store,
            new SessionRegistry.Settings(
                new ClientSession.Limits(
                    config.maxQueuePackets(), config.maxQueueBytes(), config.overflowPolicy()),
                config.sessionExpirySeconds(),
                config.maxSessionExpirySeconds(),
                config.maxSessions()),
            postOffice::ended);
    postOffice.sessions(sessions);
    if (cluster != null) {
      sessions.shareWith(cluster.sessions(), postOffice::adopted);
      if (!config.dataDir().isEmpty()) {
        log.warn("dataDir is not used in a cluster: durable sessions live in Redis");
      }
    }
    this.bus =
        new BusContext(
            config,
            router,
            metrics,
            new PacketClassifier(
                config.maxSkillLength(), config.maxIdLength(), config.maxRegistrations()),
            sessions,
            channels,
            postOffice,
            new ConcurrentHashMap<>(),
            auth.active() ? auth : null,
            ssl);
    try {
      sessions.restore(
          store.recover(PooledByteBufAllocator.DEFAULT), workers, budget, postOffice::adopted);
      this.serverChannel =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(channelType)
              .option(ChannelOption.SO_BACKLOG, 4096)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
              .childHandler(new BusChannelInitializer(config, bus))
              .bind(config.host(), config.port())
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) { // Netty rethrows a bind failure as an unchecked IOException
      if (cluster != null) {
        cluster.close();
      }
      shutdownLoops();
      store.close();
      auth.close();
      throw new IllegalStateException(
          "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Binds and starts serving.
   *
   * @throws IllegalStateException if the port cannot be bound, if the security settings cannot be
   *     used (a key, secret, users or certificate file), or if a non-loopback address is to be
   *     bound without authentication and without {@code allowAnonymous} (the message says how to
   *     configure it)
   */
  public static BusServer start(ServerConfig config) {
    BusServer server = new BusServer(config);
    log.info(
        "listening on {} (transport={}, auth={}, maxFrameBytes={}, maxQueuePackets={},"
            + " overflowPolicy={})",
        server.url(),
        server.transportName,
        server.auth.describe(),
        config.maxFrameBytes(),
        config.maxQueuePackets(),
        config.overflowPolicy().label());
    return server;
  }

  /**
   * Safe by default: a server reachable from other hosts must authenticate its clients, unless told
   * explicitly ({@code allowAnonymous}) that anyone who can reach the port may use the bus. Runs
   * before anything is bound.
   *
   * @throws IllegalStateException saying how to configure authentication
   */
  public static void checkExposure(ServerConfig config) {
    if (HostPolicy.isLoopbackBind(config.host())) { // unresolvable: not called safe
      return;
    }
    if (!config.authEnabled()) {
      if (!config.allowAnonymous()) {
        throw new IllegalStateException(
            "refusing to listen on "
                + config.host()
                + " without authentication: anyone who can reach it could read and publish every"
                + " skill. Configure authentication (--jwt-secret-file FILE, --jwt-public-key"
                + " FILE or --users-file FILE; config keys authJwtSecretFile, authJwtPublicKey,"
                + " authUsersFile; see 'Securing the bus' in the README), bind 127.0.0.1, or"
                + " pass --allow-anonymous (allowAnonymous=true) to expose it without"
                + " authentication on purpose");
      }
      log.warn(
          "listening on {} WITHOUT authentication (allowAnonymous): anyone who can reach this"
              + " port can read and publish every skill",
          config.host());
    } else if (!config.tlsEnabled()) {
      log.warn(
          "listening on {} with authentication but without TLS: tokens and passwords cross the"
              + " network in clear text; configure tlsCert and tlsKey",
          config.host());
    }
  }

  /**
   * Joins the cluster when one is configured (Lettuce is loaded only then). Runs once the event
   * loops exist; on failure it stops them, so nothing is left running.
   */
  private Cluster joinCluster(
      ServerConfig config, LocalRouter local, QueueBudget budget, BusMetrics metrics) {
    if (!config.clusterEnabled()) {
      return null;
    }
    try {
      return Cluster.join(
          config,
          workers,
          transportName,
          local,
          budget,
          () ->
              new NodeReport(
                  serverChannel == null ? "" : url(),
                  bus == null ? 0 : bus.sessions().size(),
                  local.skillCount(),
                  metrics.packetsIn.sum(),
                  metrics.packetsDelivered.sum()));
    } catch (RuntimeException e) {
      shutdownLoops();
      auth.close();
      throw e;
    } catch (NoClassDefFoundError e) {
      shutdownLoops();
      auth.close();
      throw new IllegalStateException(
          "cluster is set but Lettuce (io.lettuce:lettuce-core) is not on the class path; an"
              + " embedding program adds it (the qmsgbus jar has it)",
          e);
    }
  }

  /** The store durable sessions keep their state in: on disk with a data dir, else memory. */
  private static SessionStore openStore(ServerConfig config) {
    if (config.dataDir().isEmpty()) {
      return new MemoryStore();
    }
    return SegmentLogStore.open(
        new StoreOptions(
            Path.of(config.dataDir()),
            FsyncPolicy.parse(config.fsync()),
            config.fsyncIntervalMillis(),
            config.segmentBytes()));
  }

  /**
   * One event loop per core by default, not Netty's two: the loops never block, so a second thread
   * per core only adds context switches and cross-loop hand-offs between receivers.
   */
  private static int ioThreads(ServerConfig config) {
    return config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public String host() {
    return config.host();
  }

  /** Where clients connect, e.g. {@code ws://127.0.0.1:8081/} ({@code wss://} with TLS). */
  public String url() {
    String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return (config.tlsEnabled() ? "wss://" : "ws://") + h + ":" + port() + "/";
  }

  public ServerConfig config() {
    return config;
  }

  public BusMetrics metrics() {
    return bus.metrics();
  }

  public Router router() {
    return bus.router();
  }

  /**
   * The server's event loops, so companion listeners (the admin HTTP endpoint) are served by the
   * same Netty threads rather than a second pool.
   */
  public EventLoopGroup eventLoops() {
    return workers;
  }

  /** The live sessions, by id (read-only view; for stats and the admin API). */
  public Map<Long, SessionView> sessions() {
    return java.util.Collections.unmodifiableMap(bus.sessions().sessions());
  }

  /** The session registry (for tests and the admin API). */
  public SessionRegistry sessionRegistry() {
    return bus.sessions();
  }

  /** This node's cluster membership, or null when it runs on its own. */
  public Cluster cluster() {
    return cluster;
  }

  /** Where durable sessions are kept (for metrics). */
  public SessionStore store() {
    return store;
  }

  /** The global queued-bytes budget (for stats and tests). */
  public QueueBudget budget() {
    return bus.postOffice().budget();
  }

  /** Registrations of all clients together. */
  public int registrations() {
    return bus.postOffice().registrations();
  }

  /** Whether the server is accepting connections (false once {@link #close()} has begun). */
  public boolean accepting() {
    return !closed && serverChannel.isActive();
  }

  /** Live WebSocket sessions (completed handshakes). */
  public int sessionCount() {
    return bus.sessions().size();
  }

  /**
   * Stops accepting, tells every client the server is going away (close 1001), gives the close
   * frames a bounded time to go out, then stops the event loops.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long grace = TimeUnit.SECONDS.toMillis(config.shutdownGraceSeconds());
    serverChannel.close().syncUninterruptibly();
    log.info("stopping: closing {} client(s) with 1001", bus.channels().size());
    bus.channels()
        .writeAndFlush(
            new CloseWebSocketFrame(
                WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "server shutting down"))
        .awaitUninterruptibly(grace, TimeUnit.MILLISECONDS);
    bus.channels().close().awaitUninterruptibly(grace, TimeUnit.MILLISECONDS);
    bus.sessions().disposeAll();
    if (cluster != null) {
      cluster.close(); // before the loops: its connections may run on them
    }
    shutdownLoops();
    store.close();
    auth.close();
    log.info("stopped {}", bus.metrics().summary());
  }

  private void shutdownLoops() {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
