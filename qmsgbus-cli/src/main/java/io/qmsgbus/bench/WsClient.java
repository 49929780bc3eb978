package io.qmsgbus.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** The load generator's event loops (epoll when available) and its WebSocket connections. */
final class WsClient implements AutoCloseable {

  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final String transport;

  WsClient(int threads) {
    boolean epoll = Epoll.isAvailable() && !"nio".equals(System.getProperty("qmsgbus.transport"));
    this.transport = epoll ? "epoll" : "nio";
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
  }

  String transport() {
    return transport;
  }

  /** Refuses anything but {@code ws://} ({@code option} names the option in the message). */
  static void check(URI uri, String option) {
    if (!"ws".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          option + " must be ws://HOST:PORT/ (the bench does not do TLS), was '" + uri + "'");
    }
  }

  /**
   * Connects {@code conn} to the server at {@code uri}; its {@code ready} future says when it is
   * usable.
   */
  ChannelFuture connect(BenchConn conn, URI uri) {
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(conn.uri(uri))
            .version(WebSocketVersion.V13)
            .allowExtensions(false)
            .maxFramePayloadLength(BenchConn.MAX_FRAME)
            .handleCloseFrames(false)
            .dropPongFrames(true)
            .handshakeTimeoutMillis(20_000)
            .build();
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    return bootstrap
        .clone()
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(
                        new HttpClientCodec(),
                        new HttpObjectAggregator(64 * 1024),
                        new WebSocketClientProtocolHandler(config),
                        conn);
              }
            })
        .connect(uri.getHost(), port);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
