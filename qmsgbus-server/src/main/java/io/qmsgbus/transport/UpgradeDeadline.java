package io.qmsgbus.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An overall deadline for the upgrade, against slowloris: from connect until the WebSocket
 * handshake completes (TLS handshake, HTTP request, credentials, all of it) a connection has {@code
 * upgradeTimeoutSeconds}, however it trickles its bytes; then it is closed. The idle timer alone
 * would restart with every byte. Sits after the WebSocket protocol handler, whose {@code
 * HandshakeComplete} event cancels the deadline and removes this handler.
 */
final class UpgradeDeadline extends ChannelInboundHandlerAdapter {

  private final long timeoutMillis;
  private ScheduledFuture<?> deadline;

  UpgradeDeadline(long timeoutMillis) {
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      schedule(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    schedule(ctx);
    ctx.fireChannelActive();
  }

  private void schedule(ChannelHandlerContext ctx) {
    if (deadline == null) {
      deadline = ctx.executor().schedule(() -> expired(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  private static void expired(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      cancel();
      ctx.pipeline().remove(this);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  private void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
    }
  }
}
