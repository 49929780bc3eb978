package io.qmsgbus.transport;

import io.netty.channel.group.ChannelGroup;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.metrics.BusMetrics;
import io.qmsgbus.protocol.PacketClassifier;
import io.qmsgbus.routing.Router;
import io.qmsgbus.session.ClientSession;
import io.qmsgbus.session.QueueBudget;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What every connection's handler shares: config, router, metrics, the live sessions. */
record BusContext(
    ServerConfig config,
    Router router,
    BusMetrics metrics,
    PacketClassifier classifier,
    Map<Long, ClientSession> sessions,
    ChannelGroup channels,
    AtomicLong ids,
    QueueBudget budget,
    Map<InetAddress, AtomicInteger> connectionsPerAddress) {}
