package io.qmsgbus.bench;

import java.util.List;

/**
 * The publishers' shared window: copies published but not yet delivered (or, for NATS ping-pong,
 * not yet replied to) stay below a limit, so the bench measures what the server sustains instead of
 * filling its queues until it drops or disconnects. With a confirm limit ({@code durable}), packets
 * published but not yet confirmed stay below that too. Read from any thread; the counters it sums
 * are each written by one event loop.
 */
final class Flow {

  private final long limit;
  private final long confirmLimit;
  private final long wakePackets;
  private final List<Publisher> publishers;
  private final List<Receiver> receivers;
  private final boolean viaReplies;

  Flow(
      long limit,
      int maxFan,
      List<Publisher> publishers,
      List<Receiver> receivers,
      boolean viaReplies) {
    this(limit, 0, maxFan, publishers, receivers, viaReplies);
  }

  /**
   * @param confirmLimit most unconfirmed packets (all publishers); 0 = no confirms
   */
  Flow(
      long limit,
      long confirmLimit,
      int maxFan,
      List<Publisher> publishers,
      List<Receiver> receivers,
      boolean viaReplies) {
    this.limit = limit;
    this.confirmLimit = confirmLimit;
    long wake = Math.max(1, limit / 4 / maxFan);
    if (confirmLimit > 0) {
      wake = Math.max(1, Math.min(wake, confirmLimit / 4));
    }
    this.wakePackets = wake;
    this.publishers = publishers;
    this.receivers = receivers;
    this.viaReplies = viaReplies;
  }

  /** Copies in flight: sent x fan-out, minus those delivered (or replied to). */
  long outstanding() {
    long expected = 0;
    long done = 0;
    for (Publisher p : publishers) {
      expected += p.expectedSeen();
      if (viaReplies) {
        done += p.repliesSeen();
      }
    }
    if (!viaReplies) {
      for (Receiver r : receivers) {
        done += r.receivedSeen();
      }
    }
    return expected - done;
  }

  /** Packets sent and not yet confirmed (0 without confirms). */
  long unconfirmed() {
    if (confirmLimit <= 0) {
      return 0;
    }
    long n = 0;
    for (Publisher p : publishers) {
      n += p.sentSeen() - p.confirmsSeen();
    }
    return n;
  }

  /** Packets a publisher whose packets make {@code fan} copies may send now. */
  long room(int fan) {
    long r = (limit - outstanding()) / fan;
    if (confirmLimit > 0) {
      r = Math.min(r, confirmLimit - unconfirmed());
    }
    return r;
  }

  /** After a receiver's read batch: wake parked publishers once there is room worth sending. */
  void progress() {
    for (Publisher p : publishers) {
      if (p.parked.get() && room(p.maxFan()) >= wakePackets) {
        p.unpark();
      }
    }
  }
}
