package io.qmsgbus.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.qmsgbus.auth.Denials;
import io.qmsgbus.auth.Identity;
import io.qmsgbus.auth.SkillAccess;
import io.qmsgbus.metrics.SkillStats;
import io.qmsgbus.protocol.Packet;
import io.qmsgbus.protocol.Replies;
import io.qmsgbus.session.ClientSession;
import java.io.IOException;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus end of the pipeline: turns complete TEXT/BINARY frames into packets and hands them to
 * routing (data) or to this client's session (control). One instance per connection.
 */
final class FrameHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);

  /** Scratch for reading direct buffers; one per event loop thread, grown to the largest frame. */
  private static final FastThreadLocal<byte[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[4096];
        }
      };

  private final BusContext bus;
  private final RateLimiter rate;
  private ClientSession session;

  /** This client's permissions; null when the server has no auth (then no check at all). */
  private SkillAccess access;

  private long limitedSinceNotice;
  private long lastLimitNoticeNanos;

  FrameHandler(BusContext bus) {
    this.bus = bus;
    int perSecond = bus.config().maxPacketsPerSecond();
    this.rate = perSecond > 0 ? new RateLimiter(perSecond, System.nanoTime()) : null;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HandshakeComplete hs) {
      long id = bus.ids().incrementAndGet();
      Identity identity = ctx.channel().attr(Identity.ATTRIBUTE).get(); // set by AuthHandler
      session =
          new ClientSession(
              id,
              ctx.channel(),
              bus.router(),
              bus.metrics(),
              bus.config(),
              bus.classifier(),
              bus.budget(),
              identity);
      access = session.access();
      bus.sessions().put(id, session);
      bus.channels().add(ctx.channel());
      if (identity == null) {
        log.info(
            "client connected id={} remote={} path={}",
            id,
            ctx.channel().remoteAddress(),
            hs.requestUri());
      } else {
        log.info(
            "client connected id={} remote={} path={} user={} auth={}",
            id,
            ctx.channel().remoteAddress(),
            hs.requestUri(),
            identity.name(),
            identity.method());
      }
    } else if (evt instanceof IdleStateEvent idle) {
      if (session == null || !idle.isFirst()) {
        log.info(
            "client idle, closing id={} remote={}",
            session == null ? "-" : session.id(),
            ctx.channel().remoteAddress());
        closeWith(ctx, WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle timeout");
      } else {
        ctx.writeAndFlush(new PingWebSocketFrame());
      }
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame)
        || session == null) {
      ReferenceCountUtil.release(msg); // pings, pongs and closes are the protocol handler's
      return;
    }
    WebSocketFrame frame = (WebSocketFrame) msg;
    try {
      handle(ctx, frame.content());
    } finally {
      frame.release();
    }
  }

  private void handle(ChannelHandlerContext ctx, ByteBuf content) {
    bus.metrics().packetsIn.increment();
    int length = content.readableBytes();
    bus.metrics().bytesIn.add(length);
    Packet packet;
    if (content.hasArray()) {
      packet =
          bus.classifier()
              .classify(content.array(), content.arrayOffset() + content.readerIndex(), length);
    } else {
      byte[] scratch = SCRATCH.get();
      if (scratch.length < length) {
        scratch = new byte[Math.max(length, scratch.length * 2)];
        SCRATCH.set(scratch);
      }
      content.getBytes(content.readerIndex(), scratch, 0, length);
      packet = bus.classifier().classify(scratch, 0, length);
    }
    if (packet instanceof Packet.Data data) {
      if (rate != null && !rate.tryTake(System.nanoTime())) {
        rateLimited();
        return;
      }
      if (access != null && !access.mayPublish(data.skill())) {
        denied(data.skill(), content);
        return;
      }
      SkillStats stats = bus.metrics().skill(data.skill());
      stats.in.increment();
      int receivers = bus.router().publish(data.skill(), content);
      if (receivers == 0) {
        bus.metrics().packetsUnrouted.increment();
        stats.unrouted.increment();
      } else {
        stats.out.add(receivers);
      }
      if (bus.budget().spent() && !session.receives()) {
        bus.budget().pause(ctx.channel());
      }
    } else if (packet instanceof Packet.Control control) {
      bus.metrics().controls.increment();
      session.control(control);
    } else if (packet instanceof Packet.BadInput bad) {
      bus.metrics().badInput.increment();
      log.debug("bad input id={} reason={}", session.id(), bad.reason());
      session.reply(Replies.error(bad.idJson(), bad.reason()));
    }
  }

  /** Not allowed to publish there: the packet is not forwarded; the client gets an error. */
  private void denied(String skill, ByteBuf content) {
    bus.metrics().denied.increment();
    log.debug(
        "publish denied id={} user={} skill={}", session.id(), access.identity().name(), skill);
    session.reply(Replies.error(Denials.idJson(content), Denials.publishReason(skill)));
  }

  /**
   * Over its rate: the packet is not forwarded, and the client hears about it at most once a second
   * (with how many were refused), so the errors cannot themselves flood it.
   */
  private void rateLimited() {
    bus.metrics().rateLimited.increment();
    limitedSinceNotice++;
    long now = System.nanoTime();
    if (now - lastLimitNoticeNanos >= 1_000_000_000L) {
      lastLimitNoticeNanos = now;
      session.reply(
          Replies.error(
              null,
              "rate limit: at most "
                  + bus.config().maxPacketsPerSecond()
                  + " packets per second; "
                  + limitedSinceNotice
                  + " packet(s) not forwarded"));
      limitedSinceNotice = 0;
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (session != null) {
      session.writabilityChanged();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (session != null) {
      session.close();
      bus.sessions().remove(session.id());
      log.info(
          "client disconnected id={} remote={} sent={} dropped={}",
          session.id(),
          ctx.channel().remoteAddress(),
          session.machine().sent(),
          session.machine().dropped());
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Object who = session == null ? "-" : session.id();
    if (cause instanceof TooLongFrameException) {
      log.info("message too big, closing id={} remote={}", who, ctx.channel().remoteAddress());
      closeWith(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big");
    } else if (cause instanceof CorruptedWebSocketFrameException) {
      // the decoder has already sent the matching close frame (1002, or 1009 for size)
      log.info(
          "protocol violation, closing id={} remote={}: {}",
          who,
          ctx.channel().remoteAddress(),
          cause.getMessage());
      ctx.close();
    } else if (cause instanceof SocketException
        || (cause instanceof IOException && !(cause.getCause() instanceof RuntimeException))) {
      log.debug(
          "connection error id={} remote={}: {}",
          who,
          ctx.channel().remoteAddress(),
          cause.toString());
      ctx.close();
    } else {
      log.warn(
          "error id={} remote={}: {}", who, ctx.channel().remoteAddress(), cause.toString(), cause);
      closeWith(ctx, WebSocketCloseStatus.INTERNAL_SERVER_ERROR, "internal error");
    }
  }

  private static void closeWith(
      ChannelHandlerContext ctx, WebSocketCloseStatus status, String why) {
    ctx.writeAndFlush(new CloseWebSocketFrame(status, why))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
