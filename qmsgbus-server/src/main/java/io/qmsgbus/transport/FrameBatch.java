package io.qmsgbus.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;

/**
 * Encodes server-to-client WebSocket frames (RFC 6455 section 5.2, unmasked) straight into one
 * pooled buffer per burst, written to the socket once when the burst is flushed.
 *
 * <p>Why not one {@code WebSocketFrame} per packet through Netty's encoder: each costs a frame
 * object, a header buffer allocation, an outbound-buffer entry and an atomic update of the
 * channel's pending bytes; the profile of a fan-out showed those as the largest share of the
 * server's time. Here a small packet costs a header of 2-4 bytes and a copy into a buffer that is
 * already there. Payloads above {@link #COPY_LIMIT} are not copied but written as their own buffer,
 * after everything batched before them, so order is kept.
 *
 * <p>Used only on the channel's event loop. Frames written some other way (close, ping) must be
 * preceded by {@link #writeOut()} so they do not overtake batched ones.
 */
final class FrameBatch {

  /** Larger payloads are written without a copy. */
  static final int COPY_LIMIT = 8 * 1024;

  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_BINARY = 0x2;
  private static final int FIN = 0x80;

  private final Channel channel;
  private ByteBuf batch;

  FrameBatch(Channel channel) {
    this.channel = channel;
  }

  /** Appends a BINARY frame holding {@code payload}'s readable bytes; does not consume it. */
  void binary(ByteBuf payload) {
    int length = payload.readableBytes();
    ByteBuf b = buffer(length + 10);
    header(b, OPCODE_BINARY, length);
    if (length <= COPY_LIMIT) {
      b.writeBytes(payload, payload.readerIndex(), length);
    } else {
      writeOut();
      channel.write(payload.retainedDuplicate(), channel.voidPromise());
    }
  }

  /** Appends a TEXT frame (replies and errors). */
  void text(String json) {
    int length = ByteBufUtil.utf8Bytes(json);
    ByteBuf b = buffer(length + 10);
    header(b, OPCODE_TEXT, length);
    ByteBufUtil.reserveAndWriteUtf8(b, json, length);
  }

  /** Hands what is batched to the channel (without flushing). */
  void writeOut() {
    if (batch != null) {
      ByteBuf b = batch;
      batch = null;
      if (b.isReadable()) {
        channel.write(b, channel.voidPromise());
      } else {
        b.release();
      }
    }
  }

  /** Bytes batched and not yet handed to the channel. */
  int pendingBytes() {
    return batch == null ? 0 : batch.readableBytes();
  }

  /** Frees what is batched; for a closed channel. */
  void discard() {
    if (batch != null) {
      batch.release();
      batch = null;
    }
  }

  private ByteBuf buffer(int needed) {
    if (batch == null) {
      batch = channel.alloc().ioBuffer(Math.max(4096, Math.min(needed, COPY_LIMIT + 16)));
    }
    return batch;
  }

  private static void header(ByteBuf b, int opcode, int length) {
    b.writeByte(FIN | opcode);
    if (length < 126) {
      b.writeByte(length);
    } else if (length <= 0xFFFF) {
      b.writeByte(126);
      b.writeShort(length);
    } else {
      b.writeByte(127);
      b.writeLong(length);
    }
  }
}
