package io.qmsgbus.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Turning a delivered packet into WebSocket bytes. {@code nettyEncoder*} is what the server does
 * today (a BinaryWebSocketFrame through WebSocket08FrameEncoder, via a channel pipeline); {@code
 * rawHeader*} writes the 2-4 byte server header straight into a pooled buffer, the alternative the
 * issue suggests, once per packet or for a burst of 64 into one buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameEncodeBenchmark {

  private static final int BURST = 64;

  @Param({"100", "1000"})
  public int size;

  private ByteBuf packet;
  private EmbeddedChannel channel;
  private ByteBufAllocator alloc;

  @Setup
  public void setup() {
    alloc = PooledByteBufAllocator.DEFAULT;
    packet = alloc.directBuffer(size);
    packet.writeBytes(Packets.data("bench", size));
    channel = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
    channel.config().setAllocator(alloc);
  }

  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
    packet.release();
  }

  private long drain() {
    long bytes = 0;
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      bytes += b.readableBytes();
      b.release();
    }
    return bytes;
  }

  /** One frame object per packet through Netty's encoder, flushed per packet. */
  @Benchmark
  public long nettyEncoderPerPacket() {
    channel.writeOutbound(new BinaryWebSocketFrame(packet.retainedDuplicate()));
    return drain();
  }

  /** Netty's encoder for a burst, one flush at the end (the server's batching). */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public long nettyEncoderBurst() {
    for (int i = 0; i < BURST; i++) {
      channel.write(new BinaryWebSocketFrame(packet.retainedDuplicate()));
    }
    channel.flushOutbound();
    return drain();
  }

  /** Header and payload copied into one pooled buffer per packet. */
  @Benchmark
  public long rawHeaderPerPacket() {
    int len = packet.readableBytes();
    ByteBuf out = alloc.directBuffer(len + 4);
    writeHeader(out, len);
    out.writeBytes(packet, packet.readerIndex(), len);
    long n = out.readableBytes();
    out.release();
    return n;
  }

  /** A burst of frames copied into one pooled buffer: one buffer, one write, one flush. */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public long rawHeaderBurst() {
    int len = packet.readableBytes();
    ByteBuf out = alloc.directBuffer((len + 4) * BURST);
    for (int i = 0; i < BURST; i++) {
      writeHeader(out, len);
      out.writeBytes(packet, packet.readerIndex(), len);
    }
    long n = out.readableBytes();
    out.release();
    return n;
  }

  private static void writeHeader(ByteBuf out, int len) {
    out.writeByte(0x82); // FIN + binary
    if (len < 126) {
      out.writeByte(len);
    } else {
      out.writeByte(126);
      out.writeShort(len);
    }
  }
}
