package io.qmsgbus.bench;

import java.util.List;

/**
 * The publishers' shared window: copies published but not yet delivered (or, for NATS ping-pong,
 * not yet replied to) stay below a limit, so the bench measures what the server sustains instead of
 * filling its queues until it drops or disconnects. Read from any thread; the counters it sums are
 * each written by one event loop.
 */
final class Flow {

  private final long limit;
  private final long wakeAt;
  private final List<Publisher> publishers;
  private final List<Receiver> receivers;
  private final boolean viaReplies;

  Flow(
      long limit,
      int maxFan,
      List<Publisher> publishers,
      List<Receiver> receivers,
      boolean viaReplies) {
    this.limit = limit;
    this.wakeAt = Math.max(maxFan, limit / 4);
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

  long room() {
    return limit - outstanding();
  }

  /** After a receiver's read batch: wake parked publishers once there is room worth sending. */
  void progress() {
    for (Publisher p : publishers) {
      if (p.parked.get() && room() >= wakeAt) {
        p.unpark();
      }
    }
  }
}
