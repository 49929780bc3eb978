package io.qmsgbus.auth;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused logins with the remote address and the reason (never the credential), at most {@link
 * #BURST} lines at once and {@link #PER_SECOND} a second after that (one token bucket for the whole
 * server, so a flood from many addresses cannot fill the log either). Lines over the budget are
 * counted, and the count is logged with the next line that gets through.
 */
public final class FailedLogins {

  private static final Logger log = LoggerFactory.getLogger("io.qmsgbus.auth.FailedLogins");

  static final int BURST = 10;
  static final double PER_SECOND = 1.0;

  private final LongAdder failures;
  private final LongAdder notLogged;
  private final LongSupplier nanoClock;
  private double tokens = BURST;
  private long lastNanos;
  private long suppressedSinceLine;

  /**
   * @param failures counts every refused login
   * @param notLogged counts the refusals that were not logged (over the budget)
   */
  public FailedLogins(LongAdder failures, LongAdder notLogged) {
    this(failures, notLogged, System::nanoTime);
  }

  FailedLogins(LongAdder failures, LongAdder notLogged, LongSupplier nanoClock) {
    this.failures = failures;
    this.notLogged = notLogged;
    this.nanoClock = nanoClock;
    this.lastNanos = nanoClock.getAsLong();
  }

  /** Records one refused login; logs it if the budget allows. */
  public void failed(Object remote, String method, String reason) {
    failures.increment();
    long suppressed;
    synchronized (this) {
      long now = nanoClock.getAsLong();
      tokens = Math.min(BURST, tokens + (now - lastNanos) / 1e9 * PER_SECOND);
      lastNanos = now;
      if (tokens < 1) {
        suppressedSinceLine++;
        notLogged.increment();
        return;
      }
      tokens -= 1;
      suppressed = suppressedSinceLine;
      suppressedSinceLine = 0;
    }
    if (suppressed > 0) {
      log.warn(
          "login refused remote={} method={} reason={} ({} earlier refusal(s) not logged)",
          remote,
          method,
          reason,
          suppressed);
    } else {
      log.warn("login refused remote={} method={} reason={}", remote, method, reason);
    }
  }
}
