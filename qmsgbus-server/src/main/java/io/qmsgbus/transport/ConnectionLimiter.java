package io.qmsgbus.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.qmsgbus.metrics.BusMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts open connections and refuses the ones over the configured maximum. One per channel. */
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

  private final BusMetrics metrics;
  private final int max;
  private final int maxPerAddress;
  private final Map<InetAddress, AtomicInteger> perAddress;
  private boolean counted;
  private InetAddress address;

  ConnectionLimiter(
      BusMetrics metrics, int max, int maxPerAddress, Map<InetAddress, AtomicInteger> perAddress) {
    this.metrics = metrics;
    this.max = max;
    this.maxPerAddress = maxPerAddress;
    this.perAddress = perAddress;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (metrics.connections.incrementAndGet() > max) {
      metrics.connections.decrementAndGet();
      refuse(ctx, "maxConnections(" + max + ")");
      return;
    }
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
      InetAddress a = remote.getAddress();
      AtomicInteger n = perAddress.computeIfAbsent(a, k -> new AtomicInteger());
      if (n.incrementAndGet() > maxPerAddress) {
        release(a, n);
        metrics.connections.decrementAndGet();
        refuse(ctx, "maxConnectionsPerAddress(" + maxPerAddress + ")");
        return;
      }
      address = a;
    }
    counted = true;
    metrics.connectionsTotal.increment();
    ctx.fireChannelActive();
  }

  private void release(InetAddress a, AtomicInteger n) {
    if (n.decrementAndGet() <= 0) {
      perAddress.remove(a, n); // no entry left behind per address ever seen
    }
  }

  private void refuse(ChannelHandlerContext ctx, String reason) {
    metrics.connectionsRefused.increment();
    log.warn("connection refused remote={} reason={}", ctx.channel().remoteAddress(), reason);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      counted = false;
      metrics.connections.decrementAndGet();
      if (address != null) {
        AtomicInteger n = perAddress.get(address);
        if (n != null) {
          release(address, n);
        }
      }
      ctx.fireChannelInactive();
    }
  }
}
