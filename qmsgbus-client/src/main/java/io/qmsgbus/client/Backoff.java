package io.qmsgbus.client;

import java.time.Duration;

/**
 * Exponential backoff between reconnect attempts: initial, doubled after each failure, capped.
 * Deterministic on purpose: it is easy to reason about and to test; a fleet restarting at once is
 * not this client's concern. Not thread-safe: the client calls it under its own lock.
 */
final class Backoff {

  private final Duration initial;
  private final Duration max;
  private Duration next;

  Backoff(Duration initial, Duration max) {
    check(initial, max);
    this.initial = initial;
    this.max = max;
    this.next = initial;
  }

  /** Throws IllegalArgumentException unless 0 < initial <= max. */
  static void check(Duration initial, Duration max) {
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("initial backoff must be positive: " + initial);
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max backoff " + max + " is below initial " + initial);
    }
  }

  /** Returns the delay before the next attempt, and doubles the one after (up to the cap). */
  Duration next() {
    Duration current = next;
    next = current.compareTo(max.dividedBy(2)) > 0 ? max : current.multipliedBy(2);
    return current;
  }

  /** Starts over from the initial delay; called once a connection is up. */
  void reset() {
    next = initial;
  }
}
