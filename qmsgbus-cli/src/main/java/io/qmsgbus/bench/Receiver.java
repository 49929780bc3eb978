package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * A receiving connection: counts deliveries, records send-to-receive latency inside the measurement
 * window, and in acknowledged mode confirms each packet at once.
 */
final class Receiver extends BenchConn {

  private final boolean acking;
  private final int stampOffset;
  private final Histogram histogram;
  private final byte[] scratch = new byte[Payload.SCRATCH];

  /** All deliveries (warm-up too); written on the event loop only. */
  private long received;

  /** Deliveries inside the measurement window. */
  private long delivered;

  /** {@link #received} as of the last read batch, for other threads. */
  private volatile long receivedSeen;

  /**
   * @param histogram where latencies go, or null for an idle connection that records none
   */
  Receiver(
      BenchRun run,
      String name,
      List<String> subscriptions,
      boolean fastpush,
      boolean acking,
      int stampOffset,
      Histogram histogram) {
    super(run, name, subscriptions, fastpush);
    this.acking = acking;
    this.stampOffset = stampOffset;
    this.histogram = histogram;
  }

  @Override
  void data(byte[] replyTo, ByteBuf buf, int index, int length) {
    long now = System.nanoTime();
    received++;
    if (now >= run.measureStart && now < run.measureEnd) {
      delivered++;
      long sentAt = Payload.readStamp(buf, index, length, stampOffset, scratch);
      if (sentAt == Long.MIN_VALUE) {
        run.error(name + ": a delivered packet carries no send time: " + hex(buf, index, length));
      } else if (histogram != null) {
        histogram.recordValue(Math.max(0, now - sentAt));
      }
    }
    if (acking) {
      wire.ack(replyTo);
    }
  }

  @Override
  void readComplete() {
    receivedSeen = received;
    run.flow().progress();
  }

  long receivedSeen() {
    return receivedSeen;
  }

  /** Deliveries in the window; read on the event loop (see {@link BenchRun#onLoop}). */
  long delivered() {
    return delivered;
  }

  Histogram histogram() {
    return histogram;
  }
}
