package io.qmsgbus.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
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
import io.qmsgbus.auth.Identity;
import io.qmsgbus.auth.Permissions;
import io.qmsgbus.postoffice.Sender;
import io.qmsgbus.protocol.Packet;
import io.qmsgbus.protocol.Packet.SessionRequest;
import io.qmsgbus.session.ClientSession;
import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus end of the pipeline: turns complete TEXT/BINARY frames into packets and hands them to the
 * post office, through this connection's {@link Sender}. One instance per connection.
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

  /** When a stack trace was last logged (shared: the budget is per server, not per connection). */
  private static final AtomicLong lastTraceNanos =
      new AtomicLong(System.nanoTime() - 61_000_000_000L);

  private final BusContext bus;
  private Sender sender;

  /** We sent a close after bad input and wait for the peer to go (see {@link #closeGracefully}). */
  private boolean lingering;

  FrameHandler(BusContext bus) {
    this.bus = bus;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HandshakeComplete hs) {
      Identity identity = ctx.channel().attr(Identity.ATTRIBUTE).get(); // set by AuthHandler
      WebSocketConnection connection = new WebSocketConnection(ctx.channel());
      bus.channels().add(ctx.channel());
      Permissions permissions = Permissions.of(identity);
      SessionRequest named;
      try {
        named = SessionParameters.fromUri(hs.requestUri());
      } catch (IllegalArgumentException bad) {
        log.info(
            "bad session request remote={}: {}", ctx.channel().remoteAddress(), bad.getMessage());
        closeWith(ctx, WebSocketCloseStatus.POLICY_VIOLATION, bad.getMessage());
        return;
      }
      sender =
          named == null
              ? bus.postOffice().open(identity, connection, permissions)
              : bus.postOffice().openNamed(named, identity, connection, permissions);
      log.info(
          "client connected id={} remote={} path={}{}",
          named == null ? sender.session().id() : "-",
          ctx.channel().remoteAddress(),
          hs.requestUri(),
          identity == null ? "" : " user=" + identity.name() + " auth=" + identity.method());
    } else if (evt instanceof IdleStateEvent idle) {
      if (sender != null && sender.paused()) {
        return; // held back by the budget: its pongs are not being read, it is not idle
      }
      if (sender == null || !idle.isFirst()) {
        log.info("client idle, closing id={} remote={}", who(), ctx.channel().remoteAddress());
        closeWith(ctx, WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle timeout");
      } else {
        ctx.writeAndFlush(new PingWebSocketFrame());
      }
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  private Object who() {
    ClientSession s = sender == null ? null : sender.session();
    return s == null ? "-" : s.name() == null ? s.id() : s.id() + " session=" + s.name();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (lingering) { // we closed: nothing more is read
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof CloseWebSocketFrame close) {
      // replies to what came before the close are still batched: they go out first, then the
      // close answer (echoing the client's code), then the connection ends
      if (sender != null) {
        sender.flush();
      }
      ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (!(msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame)
        || sender == null) {
      ReferenceCountUtil.release(msg); // pings and pongs are the protocol handler's
      return;
    }
    WebSocketFrame frame = (WebSocketFrame) msg;
    try {
      handle(frame.content());
    } finally {
      frame.release();
    }
  }

  /** Frame -> classify -> dispatch to the post office; nothing else happens here. */
  private void handle(ByteBuf content) {
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
    sender.dispatch(packet, content);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (sender != null) {
      sender.writabilityChanged();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (sender != null) {
      sender.closed();
      ClientSession s = sender.session();
      log.info(
          "client disconnected id={} remote={} sent={} dropped={}",
          who(),
          ctx.channel().remoteAddress(),
          s == null ? 0 : s.sent(),
          s == null ? 0 : s.droppedCount());
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Object who = who();
    if (cause instanceof TooLongFrameException) {
      log.info("message too big, closing id={} remote={}", who, ctx.channel().remoteAddress());
      closeGracefully(
          ctx, new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big"));
    } else if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      // the decoder discards what follows; we say why (1002, 1007, or 1009 for size)
      log.info(
          "protocol violation, closing id={} remote={}: {}",
          who,
          ctx.channel().remoteAddress(),
          cause.getMessage());
      closeGracefully(ctx, new CloseWebSocketFrame(corrupt.closeStatus(), cause.getMessage()));
    } else if (cause instanceof SocketException
        || (cause instanceof IOException && !(cause.getCause() instanceof RuntimeException))) {
      log.debug(
          "connection error id={} remote={}: {}",
          who,
          ctx.channel().remoteAddress(),
          cause.toString());
      ctx.close();
    } else if (cause instanceof OutOfMemoryError || cause.getCause() instanceof OutOfMemoryError) {
      // limping on after an OOM serves nobody; a supervisor restarts a process that exits
      log.error("out of memory, stopping the server", cause);
      Runtime.getRuntime().halt(3);
    } else {
      // one line per connection; the stack trace at most once a minute, so a flood of broken
      // connections cannot flood the log
      long now = System.nanoTime();
      long last = lastTraceNanos.get();
      if (now - last > 60_000_000_000L && lastTraceNanos.compareAndSet(last, now)) {
        log.warn("error id={} remote={}: {}", who, ctx.channel().remoteAddress(), cause, cause);
      } else {
        log.warn("error id={} remote={}: {}", who, ctx.channel().remoteAddress(), cause.toString());
      }
      closeWith(ctx, WebSocketCloseStatus.INTERNAL_SERVER_ERROR, "internal error");
    }
  }

  /** How long a connection we closed waits for its peer to close, reading and dropping. */
  private static final long LINGER_SECONDS = 2;

  /**
   * Sends {@code close}, then ends our side of the TCP connection (FIN) but keeps reading, and
   * dropping, until the peer closes or {@link #LINGER_SECONDS} pass. Closing at once would answer
   * the rest of, say, an oversized frame still on its way with a reset, and a reset can discard the
   * close frame before the client reads it: it would never learn why (1009).
   */
  private void closeGracefully(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
    if (lingering) {
      close.release();
      return;
    }
    lingering = true;
    ctx.writeAndFlush(close)
        .addListener(
            f -> {
              if (ctx.channel() instanceof DuplexChannel d && d.isActive()) {
                d.shutdownOutput();
                d.config().setAutoRead(true); // whatever held reads: the rest is dropped
                d.eventLoop().schedule(() -> d.close(), LINGER_SECONDS, TimeUnit.SECONDS);
              } else {
                ctx.close();
              }
            });
  }

  private static void closeWith(
      ChannelHandlerContext ctx, WebSocketCloseStatus status, String why) {
    ctx.writeAndFlush(new CloseWebSocketFrame(status, why))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
