package io.qmsgbus.postoffice;

/**
 * A token bucket: {@code perSecond} tokens a second, holding at most one second's worth, so a
 * client may burst briefly but not sustain more than its rate. One per connection, used only on its
 * event loop.
 */
final class RateLimiter {

  private final double perNano;
  private final double capacity;
  private double tokens;
  private long last;

  RateLimiter(int perSecond, long nowNanos) {
    this.capacity = perSecond;
    this.perNano = perSecond / 1e9;
    this.tokens = perSecond;
    this.last = nowNanos;
  }

  /** Takes one token if there is one. */
  boolean tryTake(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
