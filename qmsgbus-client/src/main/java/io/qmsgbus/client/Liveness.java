package io.qmsgbus.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Dead-server detection for one client connection, the same rule the server applies to its clients:
 * when nothing has been received for the <em>ping interval</em>, a WebSocket Ping is sent; if
 * nothing at all (the Pong or any other frame) arrives within the <em>pong timeout</em> after that,
 * the connection is aborted, which the clients see as a lost connection (status 1006). That also
 * catches a half-open TCP connection: a server that vanished without a FIN, which TCP itself may
 * not notice for hours.
 *
 * <p>Any received frame counts as a sign of life, so a busy connection is never pinged. The checks
 * of every connection in the JVM run on one shared daemon thread ({@code qmsgbus-client-liveness});
 * each check only sends a Ping or aborts, so it never blocks. The abort's end-of-connection
 * callbacks run on that thread too.
 *
 * <p>Immutable; {@link #OFF} disables the check.
 */
final class Liveness {

  /** Default time without any received frame before a Ping is sent. */
  static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);

  /** Default time to wait, after the Ping, for any frame before giving up. */
  static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(10);

  /** The defaults: ping after 20 s of silence, give up 10 s later. */
  static final Liveness DEFAULT = new Liveness(DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT);

  /** No liveness check: a silent connection is kept for as long as TCP keeps it. */
  static final Liveness OFF = new Liveness(Duration.ZERO, Duration.ZERO);

  private static final System.Logger LOG = System.getLogger(Liveness.class.getName());

  private final Duration pingInterval;
  private final Duration pongTimeout;

  private Liveness(Duration pingInterval, Duration pongTimeout) {
    this.pingInterval = pingInterval;
    this.pongTimeout = pongTimeout;
  }

  /**
   * The check with these times; a {@code pingInterval} of {@link Duration#ZERO} gives {@link #OFF}
   * (the timeout is then ignored, but must not be negative).
   *
   * @throws IllegalArgumentException if a time is negative, or the interval is positive and the
   *     timeout is not
   */
  static Liveness of(Duration pingInterval, Duration pongTimeout) {
    Objects.requireNonNull(pingInterval, "pingInterval");
    Objects.requireNonNull(pongTimeout, "pongTimeout");
    if (pingInterval.isNegative() || pongTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "liveness times must not be negative: " + pingInterval + ", " + pongTimeout);
    }
    if (pingInterval.isZero()) {
      return OFF;
    }
    if (pongTimeout.isZero()) {
      throw new IllegalArgumentException(
          "pongTimeout must be positive when pinging (use pingInterval ZERO to turn it off)");
    }
    return new Liveness(pingInterval, pongTimeout);
  }

  boolean enabled() {
    return !pingInterval.isZero();
  }

  Duration pingInterval() {
    return pingInterval;
  }

  Duration pongTimeout() {
    return pongTimeout;
  }

  /**
   * Starts watching {@code c} until it ends; does nothing when disabled. Call once per connection,
   * as soon as it is open.
   */
  void watch(WsConnection c, String peer) {
    if (enabled()) {
      new Watch(c, peer).start();
    }
  }

  @Override
  public String toString() {
    return enabled() ? "ping " + pingInterval + ", timeout " + pongTimeout : "off";
  }

  /** The shared scheduler, created on first use; its one daemon thread lives as long as the JVM. */
  private static final class Scheduler {
    static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor e =
          new ScheduledThreadPoolExecutor(
              1,
              task -> {
                Thread t = new Thread(task, "qmsgbus-client-liveness");
                t.setDaemon(true);
                return t;
              });
      e.setRemoveOnCancelPolicy(true); // a closed connection's pending check goes at once
      return e;
    }
  }

  /**
   * One connection's check. {@link #run} executes only on the single scheduler thread, one call at
   * a time, so the ping state needs no lock (the executor orders the runs).
   */
  private final class Watch implements Runnable {
    private final WsConnection c;
    private final String peer;
    private final long intervalNanos = pingInterval.toNanos();
    private final long timeoutNanos = pongTimeout.toNanos();

    /** When the unanswered Ping was sent (System.nanoTime), valid while {@link #awaiting}. */
    private long pingSentAt;

    /** The connection's received-frame count when the Ping was sent. */
    private long receivedAtPing;

    private boolean awaiting;
    private volatile ScheduledFuture<?> next;

    Watch(WsConnection c, String peer) {
      this.c = c;
      this.peer = peer;
    }

    void start() {
      c.whenClosed().whenComplete((ok, error) -> cancel());
      schedule(intervalNanos);
    }

    @Override
    public void run() {
      if (!c.isOpen()) {
        return; // ended, or closing: the close has its own timeout
      }
      long now = System.nanoTime();
      if (awaiting) {
        if (c.receivedCount() != receivedAtPing) {
          awaiting = false; // the Pong, or anything else: the server is alive
        } else {
          long waited = now - pingSentAt;
          if (waited >= timeoutNanos) {
            LOG.log(
                System.Logger.Level.WARNING,
                "no answer from " + peer + " within " + pongTimeout + " of a ping; dropping it");
            c.abort();
            return;
          }
          schedule(timeoutNanos - waited);
          return;
        }
      }
      long idle = now - c.lastReceivedNanos();
      if (idle >= intervalNanos) {
        awaiting = true;
        pingSentAt = now;
        receivedAtPing = c.receivedCount();
        c.sendPing(); // a failed or stuck send needs no handling: the silence that follows counts
        schedule(timeoutNanos);
      } else {
        schedule(intervalNanos - idle);
      }
    }

    private void schedule(long delayNanos) {
      next = Scheduler.EXECUTOR.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
      if (c.isEnded()) {
        cancel(); // the connection ended while scheduling; start()'s callback may have run already
      }
    }

    private void cancel() {
      ScheduledFuture<?> f = next;
      if (f != null) {
        f.cancel(false);
      }
    }
  }
}
