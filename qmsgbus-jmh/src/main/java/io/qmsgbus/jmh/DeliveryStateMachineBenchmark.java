package io.qmsgbus.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.qmsgbus.config.OverflowPolicy;
import io.qmsgbus.session.DeliveryStateMachine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A client's queue and window (PROTOCOL.md section 4) per packet: offer + ack in the default mode,
 * offer alone in fast-push, and a burst queued behind an unacked packet then drained. The machine
 * is driven with Netty buffers and reference counting as the server drives it; "write" releases the
 * buffer, standing in for the channel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeliveryStateMachineBenchmark {

  private static final int BURST = 64;

  /** Counts writes and frees buffers, as the channel would once written. */
  static final class Sink implements DeliveryStateMachine.Output<ByteBuf> {
    long written;
    long dropped;

    @Override
    public void write(ByteBuf packet) {
      written++;
      packet.release();
    }

    @Override
    public ByteBuf retain(ByteBuf packet) {
      return packet.retainedDuplicate();
    }

    @Override
    public void release(ByteBuf packet) {
      packet.release();
    }

    @Override
    public int size(ByteBuf packet) {
      return packet.readableBytes();
    }

    @Override
    public void dropped(ByteBuf packet) {
      dropped++;
    }

    @Override
    public void disconnect() {}
  }

  private ByteBuf packet;
  private Sink sink;
  private DeliveryStateMachine<ByteBuf> ackMode;
  private DeliveryStateMachine<ByteBuf> fastpush;
  private DeliveryStateMachine<ByteBuf> buffered;

  @Setup
  public void setup() {
    packet = PooledByteBufAllocator.DEFAULT.directBuffer(100);
    packet.writeBytes(Packets.data("bench", 100));
    sink = new Sink();
    ackMode = new DeliveryStateMachine<>(sink, 10_000, 64L << 20, OverflowPolicy.DROP_OLDEST);
    fastpush = new DeliveryStateMachine<>(sink, 10_000, 64L << 20, OverflowPolicy.DROP_OLDEST);
    fastpush.fastpush(true);
    buffered = new DeliveryStateMachine<>(sink, 10_000, 64L << 20, OverflowPolicy.DROP_OLDEST);
    buffered.buffering(true);
  }

  @TearDown
  public void tearDown() {
    ackMode.close();
    fastpush.close();
    buffered.close();
    packet.release();
  }

  /** Default mode, nothing queued: the packet goes out at once, then its ack arrives. */
  @Benchmark
  public long ackModeOfferThenAck() {
    ackMode.offer(packet.retainedDuplicate());
    ackMode.ack();
    return sink.written;
  }

  /** Default mode with buffering on: the sent packet is also kept until its ack. */
  @Benchmark
  public long bufferingOfferThenAck() {
    buffered.offer(packet.retainedDuplicate());
    buffered.ack();
    return sink.written;
  }

  /** Fast-push: every packet is written on arrival. */
  @Benchmark
  public long fastpushOffer() {
    fastpush.offer(packet.retainedDuplicate());
    return sink.written;
  }

  /** A burst arrives behind an unacked packet (queued), then is acked through one by one. */
  @Benchmark
  @org.openjdk.jmh.annotations.OperationsPerInvocation(BURST)
  public long ackModeQueuedBurst() {
    for (int i = 0; i < BURST; i++) {
      ackMode.offer(packet.retainedDuplicate());
    }
    for (int i = 0; i < BURST; i++) {
      ackMode.ack();
    }
    return sink.written;
  }
}
