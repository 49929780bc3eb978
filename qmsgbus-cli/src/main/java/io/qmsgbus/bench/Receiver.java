package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import java.net.URI;
import java.util.List;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * A receiving connection: counts deliveries, records send-to-receive latency inside the measurement
 * window, and in acknowledged mode confirms each packet at once.
 */
final class Receiver extends BenchConn {

  private final boolean acking;
  private final int stampOffset;
  private final Histogram histogram;
  private final String session;
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
    this.session = null;
  }

  /**
   * A receiver with a wire of the caller's making ({@code durable}).
   *
   * @param session a QMsgBus session to name on the URL (a fresh one: {@code clean=true}), or null
   */
  Receiver(
      BenchRun run,
      String name,
      Function<BenchConn, Wire> wire,
      String session,
      boolean acking,
      int stampOffset,
      Histogram histogram) {
    super(run, name, wire);
    this.acking = acking;
    this.stampOffset = stampOffset;
    this.histogram = histogram;
    this.session = session;
  }

  /** Expiry of the bench's sessions: they outlive a run briefly, not for the server's default. */
  static final int SESSION_EXPIRY_SECONDS = 60;

  @Override
  URI uri(URI base) {
    if (session == null) {
      return base;
    }
    return base.resolve(
        "/?session=" + session + "&expiry=" + SESSION_EXPIRY_SECONDS + "&clean=true");
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

  /**
   * {@code churn}: a register sent at {@code sentAt} got its ok now; counted as a delivery, its
   * round trip recorded, inside the measurement window.
   */
  void registered(long sentAt) {
    long now = System.nanoTime();
    received++;
    if (now >= run.measureStart && now < run.measureEnd) {
      delivered++;
      if (histogram != null) {
        histogram.recordValue(Math.max(0, now - sentAt));
      }
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
