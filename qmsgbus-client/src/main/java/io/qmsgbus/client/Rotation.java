package io.qmsgbus.client;

import java.time.Duration;

/**
 * Which server a reconnect attempt goes to, and after what delay: the servers are tried
 * round-robin, and the backoff is applied once per full round. After a connection to server {@code
 * i} is lost, the next attempt goes to {@code i + 1} after the backoff's current delay (its initial
 * one, since a connection was up); each failed attempt moves on to the next server at once, until
 * every server has failed once in this round; then the next round starts after the backoff's next
 * (doubled) delay. With one server this is plain exponential backoff. Not thread-safe: the client
 * calls it under its own lock.
 */
final class Rotation {

  /** One reconnect attempt: the server's index in the client's list and the delay before it. */
  record Attempt(int index, Duration delay) {}

  private final int size;
  private final Backoff backoff;
  private int next;
  private int failedInRound;

  Rotation(int size, Backoff backoff) {
    if (size < 1) {
      throw new IllegalArgumentException("no servers");
    }
    this.size = size;
    this.backoff = backoff;
  }

  /** A connection to server {@code index} is up: the backoff starts over. */
  void connected(int index) {
    backoff.reset();
    next = index;
    failedInRound = 0;
  }

  /** The connection to server {@code index} was lost: where and when to try next. */
  Attempt lost(int index) {
    next = (index + 1) % size;
    failedInRound = 0;
    return new Attempt(next, backoff.next());
  }

  /** The attempt last handed out failed: where and when to try next. */
  Attempt failed() {
    next = (next + 1) % size;
    failedInRound++;
    if (failedInRound < size) {
      return new Attempt(next, Duration.ZERO);
    }
    failedInRound = 0;
    return new Attempt(next, backoff.next());
  }
}
