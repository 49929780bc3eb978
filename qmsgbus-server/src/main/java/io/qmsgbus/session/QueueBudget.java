package io.qmsgbus.session;

import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The global budget for bytes waiting in all clients' queues. When it is spent, publishers are
 * paused (their sockets are not read, so TCP pushes back on them) until receivers drain the queues
 * to three quarters of the budget. Publishers are paused rather than packets dropped: a fast
 * producer slows to what its consumers take, and nothing is lost.
 *
 * <p>Only connections that receive nothing are paused: a receiver's ACKs arrive on its socket, and
 * not reading them would stop the very draining that ends the pause. Connections that both publish
 * and receive stay governed by the per-client queue bounds.
 */
public final class QueueBudget {

  private final long max;
  private final long resumeBelow;
  private final AtomicLong used = new AtomicLong();
  private final Set<Channel> paused = ConcurrentHashMap.newKeySet();

  public QueueBudget(long maxBytes) {
    this.max = maxBytes;
    this.resumeBelow = maxBytes - maxBytes / 4;
  }

  /** Bytes entered ({@code delta > 0}) or left ({@code delta < 0}) some client's queue. */
  void changed(long delta) {
    long now = used.addAndGet(delta);
    if (delta < 0 && now <= resumeBelow && !paused.isEmpty()) {
      resumeAll();
    }
  }

  /** Whether a publisher should stop being read now. */
  public boolean spent() {
    return used.get() >= max;
  }

  /** Stops reading from {@code publisher} until the queues drain. Call on its event loop. */
  public void pause(Channel publisher) {
    publisher.config().setAutoRead(false);
    paused.add(publisher);
    if (!spent()) { // drained meanwhile: do not wait for a wake-up that already happened
      resumeAll();
    }
  }

  /** Forgets a closed channel. */
  public void forget(Channel channel) {
    paused.remove(channel);
  }

  private void resumeAll() {
    for (Channel ch : paused) {
      if (paused.remove(ch)) {
        ch.eventLoop().execute(() -> ch.config().setAutoRead(true));
      }
    }
  }

  public long used() {
    return used.get();
  }

  public long max() {
    return max;
  }

  public int pausedPublishers() {
    return paused.size();
  }
}
