package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One bench connection: Netty does the WebSocket handshake, then this swaps in {@link
 * WsFrames.Reader} and writes frames itself. What the frames mean is the {@link Wire}'s business
 * (QMsgBus or NATS); what to do with a delivered message is the subclass's. Every method runs on
 * the channel's event loop unless it says otherwise.
 */
abstract class BenchConn extends ChannelInboundHandlerAdapter implements WsFrames.Sink {

  static final int MAX_FRAME = 16 << 20;

  final BenchRun run;
  final String name;
  final Wire wire;

  /** Completes once the connection is open and its subscriptions are in force. */
  final CompletableFuture<Void> ready = new CompletableFuture<>();

  ChannelHandlerContext ctx;
  Channel channel;
  private boolean needsFlush;
  private boolean inRead;

  BenchConn(BenchRun run, String name, List<String> subscriptions, boolean fastpush) {
    this(
        run,
        name,
        c ->
            run.settings().target() == Target.NATS_WS
                ? new NatsWire(c, subscriptions)
                : new QmsgbusWire(c, subscriptions, fastpush, false));
  }

  /** With a wire of the caller's making (called with this connection). */
  BenchConn(BenchRun run, String name, Function<BenchConn, Wire> wire) {
    this.run = run;
    this.name = name;
    this.wire = wire.apply(this);
  }

  /** The URL this connection opens: {@code base}, unless it names a session. */
  URI uri(URI base) {
    return base;
  }

  /**
   * A publisher confirm: the packet with this id is stored (QMsgBus {@code {"id":..,"ok":true}},
   * JetStream PubAck), or was refused ({@code ok} false, {@code why} says what the server said).
   */
  void confirmed(long id, boolean ok, String why) {
    fail("a confirm nobody asked for: " + (why == null ? "id " + id : why));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.channel = ctx.channel();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      ChannelPipeline p = ctx.pipeline();
      ChannelHandler decoder = p.get(WebSocketFrameDecoder.class);
      p.replace(decoder, "bench-frames", new WsFrames.Reader(this, MAX_FRAME));
      ChannelHandler encoder = p.get(WebSocketFrameEncoder.class);
      if (encoder != null) {
        p.remove(encoder);
      }
      ChannelHandler protocol = p.get(WebSocketClientProtocolHandler.class);
      if (protocol != null) {
        p.remove(protocol);
      }
      wire.opened();
    } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      ready.completeExceptionally(new IOException(name + ": WebSocket handshake timed out"));
      ctx.close();
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // everything after the handshake is consumed by WsFrames.Reader; anything else is unexpected
    io.netty.util.ReferenceCountUtil.release(msg);
  }

  @Override
  public void frame(int opcode, boolean fin, ByteBuf buf, int index, int length) {
    inRead = true;
    switch (opcode) {
      case WsFrames.OP_PING -> {
        byte[] payload = new byte[length];
        buf.getBytes(index, payload);
        writeFrame(WsFrames.OP_PONG, payload);
      }
      case WsFrames.OP_PONG -> {
        // answers to pings nobody sent: ignore
      }
      case WsFrames.OP_CLOSE -> {
        if (!run.closing()) {
          String reason =
              length > 2 ? buf.toString(index + 2, length - 2, StandardCharsets.UTF_8) : "";
          int code = length >= 2 ? buf.getUnsignedShort(index) : 1005;
          fail("server closed the connection: " + code + " " + reason);
        }
        ctx.close();
      }
      default -> wire.frame(opcode, buf, index, length);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    inRead = false;
    readComplete();
    if (needsFlush) {
      needsFlush = false;
      ctx.flush();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!ready.isDone()) {
      ready.completeExceptionally(
          new IOException(name + ": connection closed before it was ready"));
    } else if (!run.closing()) {
      run.error(name + ": connection closed during the run");
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!ready.isDone()) {
      ready.completeExceptionally(cause);
    } else if (!run.closing()) {
      run.error(name + ": " + cause);
    }
    ctx.close();
  }

  /** A protocol-level failure: counted, and the connection is not ready if it was not yet. */
  void fail(String what) {
    if (!ready.isDone()) {
      ready.completeExceptionally(new IOException(name + ": " + what));
    } else {
      run.error(name + ": " + what);
    }
  }

  /** The wire says subscriptions are in force. */
  void subscribed() {
    ready.complete(null);
  }

  /** A delivered message (QMsgBus data packet, NATS MSG). {@code replyTo} is NATS's, or null. */
  abstract void data(byte[] replyTo, ByteBuf buf, int index, int length);

  /** After each read batch: publish counters, wake publishers. */
  void readComplete() {}

  /** Writes one small frame; flushed at the end of the read batch, or now outside one. */
  void writeFrame(int opcode, byte[] payload) {
    ByteBuf b = ctx.alloc().directBuffer(WsFrames.headerLength(payload.length) + payload.length);
    WsFrames.writeHeader(b, opcode, payload.length);
    b.writeBytes(payload);
    write(b);
  }

  /** Writes encoded frame bytes; flushed at the end of the read batch, or now outside one. */
  void write(ByteBuf frames) {
    if (inRead) {
      ctx.write(frames, ctx.voidPromise());
      needsFlush = true;
    } else {
      ctx.writeAndFlush(frames, ctx.voidPromise());
    }
  }

  static String text(ByteBuf buf, int index, int length) {
    return buf.toString(index, length, StandardCharsets.UTF_8);
  }

  static String hex(ByteBuf buf, int index, int length) {
    return ByteBufUtil.hexDump(buf, index, Math.min(length, 32));
  }
}
