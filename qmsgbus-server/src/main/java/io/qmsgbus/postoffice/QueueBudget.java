package io.qmsgbus.postoffice;

import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.session.Connection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The global budget for bytes of messages the server holds for receivers. It counts each message
 * once, from when it is made until its last reference goes, whatever its fan-out: a packet shared
 * by a thousand queues is one buffer in memory and one count here.
 *
 * <p>When the budget is spent, publishers are held back until receivers drain to three quarters of
 * it: a connection that only publishes is not read (TCP pushes back on it; it is not closed as idle
 * meanwhile), and one that also receives (whose ACKs must still be read) has its data packets
 * refused with an error instead. So registering for a skill is no way around the budget.
 */
public final class QueueBudget implements ByteAccount {

  private final long max;
  private final long resumeBelow;
  private final AtomicLong used = new AtomicLong();
  private final Set<Connection> paused = ConcurrentHashMap.newKeySet();

  public QueueBudget(long maxBytes) {
    this.max = maxBytes;
    this.resumeBelow = maxBytes - maxBytes / 4;
  }

  @Override
  public void held(int bytes) {
    used.addAndGet(bytes);
  }

  @Override
  public void freed(int bytes) {
    long now = used.addAndGet(-bytes);
    if (now <= resumeBelow && !paused.isEmpty()) {
      resumeAll();
    }
  }

  /** Whether publishers should be held back now. */
  public boolean spent() {
    return used.get() >= max;
  }

  /** Stops reading from {@code publisher} until the queues drain. Call on its event loop. */
  public void pause(Connection publisher) {
    publisher.hold(Connection.Hold.BUDGET, true);
    paused.add(publisher);
    if (!spent()) { // drained meanwhile: do not wait for a wake-up that already happened
      resumeAll();
    }
  }

  /** Forgets a closed connection. */
  public void forget(Connection connection) {
    paused.remove(connection);
  }

  private void resumeAll() {
    for (Connection c : paused) {
      if (paused.remove(c)) {
        c.eventLoop().execute(() -> c.hold(Connection.Hold.BUDGET, false));
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
