package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;

/**
 * WebSocket framing for the load generator, written straight into and read straight out of Netty
 * buffers: no frame objects, no copies. After the handshake (done by Netty's {@code
 * WebSocketClientProtocolHandler}) the bench swaps Netty's frame codec for this.
 *
 * <p>Client frames must be masked (RFC 6455 5.3). The bench uses the all-zero masking key, which
 * the RFC allows and which makes masking a no-op, so a payload is written as is.
 */
final class WsFrames {

  static final int OP_CONTINUATION = 0x0;
  static final int OP_TEXT = 0x1;
  static final int OP_BINARY = 0x2;
  static final int OP_CLOSE = 0x8;
  static final int OP_PING = 0x9;
  static final int OP_PONG = 0xA;

  private WsFrames() {}

  /** The header length of a client (masked) frame with {@code payloadLength} bytes. */
  static int headerLength(int payloadLength) {
    return (payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10) + 4;
  }

  /** Writes a final, masked (zero key) frame header for {@code payloadLength} bytes. */
  static void writeHeader(ByteBuf out, int opcode, int payloadLength) {
    out.writeByte(0x80 | opcode);
    if (payloadLength < 126) {
      out.writeByte(0x80 | payloadLength);
    } else if (payloadLength < 65536) {
      out.writeByte(0x80 | 126);
      out.writeShort(payloadLength);
    } else {
      out.writeByte(0x80 | 127);
      out.writeLong(payloadLength);
    }
    out.writeInt(0); // masking key 0: XOR with it changes nothing
  }

  /** Receives the frames a {@link Reader} parses, on the channel's event loop. */
  interface Sink {
    /**
     * One complete frame; the payload is {@code length} bytes of {@code buf} from {@code index},
     * valid only during the call.
     */
    void frame(int opcode, boolean fin, ByteBuf buf, int index, int length);
  }

  /** Parses server frames (unmasked) from the byte stream and hands each to the sink in place. */
  static final class Reader extends ByteToMessageDecoder {
    private final Sink sink;
    private final int maxFrame;

    Reader(Sink sink, int maxFrame) {
      this.sink = sink;
      this.maxFrame = maxFrame;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      for (; ; ) {
        int readable = in.readableBytes();
        if (readable < 2) {
          return;
        }
        int i = in.readerIndex();
        int b0 = in.getUnsignedByte(i);
        int b1 = in.getUnsignedByte(i + 1);
        long len = b1 & 0x7F;
        int header = 2;
        if (len == 126) {
          if (readable < 4) {
            return;
          }
          len = in.getUnsignedShort(i + 2);
          header = 4;
        } else if (len == 127) {
          if (readable < 10) {
            return;
          }
          len = in.getLong(i + 2);
          header = 10;
        }
        if ((b1 & 0x80) != 0) {
          throw new CorruptedFrameException("server sent a masked frame");
        }
        if (len < 0 || len > maxFrame) {
          throw new CorruptedFrameException("frame of " + len + " bytes exceeds " + maxFrame);
        }
        if (readable < header + len) {
          return;
        }
        int length = (int) len;
        in.readerIndex(i + header + length);
        sink.frame(b0 & 0x0F, (b0 & 0x80) != 0, in, i + header, length);
        if (ctx.isRemoved()) {
          return;
        }
      }
    }
  }
}
