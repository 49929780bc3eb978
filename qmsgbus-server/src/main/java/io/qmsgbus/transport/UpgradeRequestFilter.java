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
import io.qmsgbus.auth.HostPolicy;
import java.nio.charset.StandardCharsets;

/**
 * Lets through WebSocket upgrades on {@code /} and {@code /ws} only, with an accepted {@code Host}
 * ({@link HostPolicy}, against DNS rebinding); anything else gets a plain HTTP answer saying what
 * is wrong (400 for a request the HTTP decoder could not parse, 403 for a refused {@code Host}),
 * instead of a confusing handshake failure.
 */
final class UpgradeRequestFilter extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final HostPolicy hosts;

  UpgradeRequestFilter(HostPolicy hosts) {
    super(false);
    this.hosts = hosts;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "QMsgBus: malformed HTTP request\n");
      return;
    }
    String host = req.headers().get(HttpHeaderNames.HOST);
    if (!hosts.allows(host)) {
      respond(ctx, req, HttpResponseStatus.FORBIDDEN, hosts.refusal(host));
      return;
    }
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
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }
}
