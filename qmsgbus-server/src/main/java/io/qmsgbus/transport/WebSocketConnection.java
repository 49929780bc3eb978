package io.qmsgbus.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.qmsgbus.session.Connection;
import java.util.EnumSet;

/** A session's {@link Connection} over one Netty WebSocket channel; frames batched per burst. */
final class WebSocketConnection implements Connection {

  private final Channel channel;
  private final FrameBatch out;
  private final EnumSet<Hold> holds = EnumSet.noneOf(Hold.class);
  private boolean closing;

  WebSocketConnection(Channel channel) {
    this.channel = channel;
    this.out = new FrameBatch(channel);
  }

  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  @Override
  public void binary(ByteBuf payload) {
    out.binary(payload);
  }

  @Override
  public void text(String json) {
    out.text(json);
  }

  @Override
  public void flush() {
    out.writeOut();
    channel.flush();
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public long pendingBytes() {
    ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
    return out.pendingBytes() + (ob == null ? 0 : ob.totalPendingWriteBytes());
  }

  @Override
  public void hold(Hold reason, boolean on) {
    boolean changed = on ? holds.add(reason) : holds.remove(reason);
    if (changed) {
      channel.config().setAutoRead(holds.isEmpty());
    }
  }

  @Override
  public boolean held(Hold reason) {
    return holds.contains(reason);
  }

  @Override
  public void close(int code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    out.writeOut(); // what was batched goes before the close frame
    channel
        .writeAndFlush(new CloseWebSocketFrame(code, reason))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void discard() {
    out.discard();
  }

  @Override
  public boolean isOpen() {
    return !closing && channel.isActive();
  }

  @Override
  public String remoteAddress() {
    return String.valueOf(channel.remoteAddress());
  }
}
