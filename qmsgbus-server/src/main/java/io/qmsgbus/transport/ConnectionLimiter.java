package io.qmsgbus.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.qmsgbus.metrics.BusMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts open connections and refuses the ones over the configured maximum. One per channel. */
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);

  private final BusMetrics metrics;
  private final int max;
  private boolean counted;

  ConnectionLimiter(BusMetrics metrics, int max) {
    this.metrics = metrics;
    this.max = max;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (metrics.connections.incrementAndGet() > max) {
      metrics.connections.decrementAndGet();
      metrics.connectionsRefused.increment();
      log.warn("connection refused remote={} reason=maxConnections({})", ctx.channel().remoteAddress(), max);
      ctx.close();
      return;
    }
    counted = true;
    metrics.connectionsTotal.increment();
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      counted = false;
      metrics.connections.decrementAndGet();
      ctx.fireChannelInactive();
    }
  }
}
