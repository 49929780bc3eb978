package io.qmsgbus.transport;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.qmsgbus.auth.AuthHandler;
import io.qmsgbus.auth.HostPolicy;
import io.qmsgbus.config.ServerConfig;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline, one named handler per job: limit, TLS (when configured), HTTP, path and Host check,
 * origin and credentials (when configured), WebSocket protocol (ping, close, fragments, size
 * limit), the upgrade deadline (removed once the handshake is done), liveness, then the bus itself.
 */
final class BusChannelInitializer extends ChannelInitializer<SocketChannel> {

  /** The upgrade request is small; anything bigger is not a WebSocket client. */
  private static final int MAX_UPGRADE_REQUEST_BYTES = 16 * 1024;

  private final ServerConfig config;
  private final BusContext bus;
  private final WebSocketServerProtocolConfig wsConfig;
  private final HostPolicy hosts;

  BusChannelInitializer(ServerConfig config, BusContext bus) {
    this.config = config;
    this.bus = bus;
    this.hosts = HostPolicy.of(config.allowedHosts(), config.host());
    this.wsConfig =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath("/")
            .checkStartsWith(true) // UpgradeRequestFilter has already narrowed it to / and /ws
            .handleCloseFrames(false) // FrameHandler answers: batched replies first
            .dropPongFrames(true)
            // we send our own close frames with the reason; a default one would follow the
            // decoder's own 1002/1007/1009 and muddle what the client sees
            .sendCloseFrame(null)
            .handshakeTimeoutMillis(10_000)
            .decoderConfig(
                WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(config.maxFrameBytes())
                    .allowExtensions(false)
                    // FrameHandler sends the close (1002/1007/1009) and lingers: see
                    // closeGracefully
                    .closeOnProtocolViolation(false)
                    .withUTF8Validator(true)
                    .build())
            .build();
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast(
        "limit",
        new ConnectionLimiter(
            bus.metrics(),
            config.maxConnections(),
            config.maxConnectionsPerAddress(),
            bus.connectionsPerAddress()));
    if (bus.ssl() != null) {
      p.addLast("tls", bus.ssl().newHandler(ch.alloc()));
      p.addLast("tls-errors", new TlsSetup.HandshakeErrors());
    }
    if (config.idleTimeoutSeconds() > 0) {
      p.addLast("idle", new IdleStateHandler(config.idleTimeoutSeconds(), 0, 0, TimeUnit.SECONDS));
    }
    p.addLast("http", new HttpServerCodec());
    p.addLast("http-aggregator", new HttpObjectAggregator(MAX_UPGRADE_REQUEST_BYTES));
    p.addLast("upgrade-filter", new UpgradeRequestFilter(hosts));
    if (bus.auth() != null) {
      p.addLast("auth", new AuthHandler(bus.auth())); // 403 / 401 before any frame
    }
    p.addLast("websocket", new WebSocketServerProtocolHandler(wsConfig));
    // after "websocket", to see its HandshakeComplete; armed at connect all the same
    p.addLast(
        "upgrade-deadline",
        new UpgradeDeadline(TimeUnit.SECONDS.toMillis(config.upgradeTimeoutSeconds())));
    p.addLast("fragments", new WebSocketFrameAggregator(config.maxFrameBytes()));
    p.addLast("bus", new FrameHandler(bus));
  }
}
