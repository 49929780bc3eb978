package io.qmsgbus.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Lets through WebSocket upgrades on {@code /} and {@code /ws} only; anything else gets a plain
 * HTTP answer saying what is wrong, instead of a confusing handshake failure.
 */
final class UpgradeRequestFilter extends SimpleChannelInboundHandler<FullHttpRequest> {

  UpgradeRequestFilter() {
    super(false);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    if (!path.equals("/") && !path.equals("/ws")) {
      respond(
          ctx, req, HttpResponseStatus.NOT_FOUND, "QMsgBus: WebSocket endpoints are / and /ws\n");
      return;
    }
    if (!req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      respond(
          ctx,
          req,
          HttpResponseStatus.UPGRADE_REQUIRED,
          "QMsgBus: connect with a WebSocket client, e.g. ws://HOST:PORT/\n");
      return;
    }
    ctx.fireChannelRead(req);
  }

  private static void respond(
      ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String text) {
    req.release();
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    HttpUtil.setContentLength(res, res.content().readableBytes());
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }
}
