package io.qmsgbus.cluster;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.ToByteBufEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Channel names as text, packets as Netty buffers: an envelope is written straight into Lettuce's
 * command buffer (no byte[] per publish), and a received one is copied once, into a pooled buffer
 * the listener owns and releases. The encoder does not consume the value: the publisher releases it
 * when the command completes.
 */
final class PacketCodec implements RedisCodec<String, ByteBuf>, ToByteBufEncoder<String, ByteBuf> {

  private final ByteBufAllocator alloc;

  PacketCodec(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  @Override
  public String decodeKey(ByteBuffer bytes) {
    return StandardCharsets.UTF_8.decode(bytes).toString();
  }

  @Override
  public ByteBuf decodeValue(ByteBuffer bytes) {
    ByteBuf b = alloc.buffer(bytes.remaining());
    b.writeBytes(bytes);
    return b;
  }

  @Override
  public ByteBuffer encodeKey(String key) {
    return StandardCharsets.UTF_8.encode(key);
  }

  @Override
  public ByteBuffer encodeValue(ByteBuf value) {
    ByteBuffer copy = ByteBuffer.allocate(value.readableBytes());
    value.getBytes(value.readerIndex(), copy);
    copy.flip();
    return copy;
  }

  @Override
  public void encodeKey(String key, ByteBuf target) {
    target.writeCharSequence(key, StandardCharsets.UTF_8);
  }

  @Override
  public void encodeValue(ByteBuf value, ByteBuf target) {
    target.writeBytes(value, value.readerIndex(), value.readableBytes());
  }

  @Override
  public int estimateSize(Object keyOrValue) {
    if (keyOrValue instanceof ByteBuf b) {
      return b.readableBytes();
    }
    return keyOrValue == null ? 0 : keyOrValue.toString().length() * 3;
  }

  @Override
  public boolean isEstimateExact() {
    return false;
  }
}
