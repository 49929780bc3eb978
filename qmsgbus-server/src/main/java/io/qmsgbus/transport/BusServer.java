package io.qmsgbus.transport;

import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.util.concurrent.GlobalEventExecutor;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.protocol.PacketClassifier;
import io.qmsgbus.routing.LocalRouter;
import io.qmsgbus.routing.Router;
import io.qmsgbus.session.ClientSession;
import io.qmsgbus.session.QueueBudget;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
  private volatile boolean closed;

  private BusServer(ServerConfig config) {
    this.config = config;
    boolean epoll = Epoll.isAvailable() && !"nio".equals(System.getProperty("qmsgbus.transport"));
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.transportName = epoll ? "epoll" : "nio";
    this.boss = new MultiThreadIoEventLoopGroup(1, io);
    this.workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), io);
    ChannelGroup channels = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    Router router = new LocalRouter();
    Map<Long, ClientSession> sessions = new ConcurrentHashMap<>();
    this.bus =
        new BusContext(
            config,
            router,
            new BusMetrics(),
            new PacketClassifier(config.maxSkillLength()),
            sessions,
            channels,
            new AtomicLong(),
            new QueueBudget(config.maxTotalQueuedBytes()),
            new ConcurrentHashMap<>());
    try {
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
    } catch (RuntimeException e) {
      shutdownLoops();
      throw new IllegalStateException(
          "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
  }

  /** Binds and starts serving; throws {@link IllegalStateException} if the port cannot be bound. */
  public static BusServer start(ServerConfig config) {
    BusServer server = new BusServer(config);
    log.info(
        "listening on {} (transport={}, maxFrameBytes={}, maxQueuePackets={}, overflowPolicy={})",
        server.url(),
        server.transportName,
        config.maxFrameBytes(),
        config.maxQueuePackets(),
        config.overflowPolicy().label());
    return server;
  }

  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public String host() {
    return config.host();
  }

  /** Where clients connect, e.g. {@code ws://127.0.0.1:8081/}. */
  public String url() {
    String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "ws://" + h + ":" + port() + "/";
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
  public Map<Long, ClientSession> sessions() {
    return java.util.Collections.unmodifiableMap(bus.sessions());
  }

  /** The global queued-bytes budget (for stats and tests). */
  public QueueBudget budget() {
    return bus.budget();
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
        .writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "server shutting down"))
        .awaitUninterruptibly(grace, TimeUnit.MILLISECONDS);
    bus.channels().close().awaitUninterruptibly(grace, TimeUnit.MILLISECONDS);
    shutdownLoops();
    log.info("stopped {}", bus.metrics().summary());
  }

  private void shutdownLoops() {
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
