package io.qmsgbus.transport;

import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.qmsgbus.auth.Authenticator;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.postoffice.PostOffice;
import io.qmsgbus.protocol.PacketClassifier;
import io.qmsgbus.routing.Router;
import io.qmsgbus.session.SessionRegistry;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection's handler shares: config, router, metrics, the live sessions; and the
 * security setup: {@code auth} is null when neither authentication nor an origin check is
 * configured, {@code ssl} null without TLS.
 */
record BusContext(
    ServerConfig config,
    Router router,
    BusMetrics metrics,
    PacketClassifier classifier,
    SessionRegistry sessions,
    ChannelGroup channels,
    PostOffice postOffice,
    Map<InetAddress, AtomicInteger> connectionsPerAddress,
    Authenticator auth,
    SslContext ssl) {}
