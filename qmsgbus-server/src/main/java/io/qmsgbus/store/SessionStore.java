package io.qmsgbus.store;

import io.netty.buffer.ByteBufAllocator;
import io.qmsgbus.message.Message;

/**
 * Where durable sessions keep their settings and queues. Thread-safe; no call blocks on disk I/O
 * except recover/close.
 */
public interface SessionStore extends AutoCloseable {
  boolean persistent();

  void saveSession(StoredSession s);

  void deleteSession(String name);

  long enqueue(String name, Message m);

  void remove(String name, long key);

  /** Runs {@code action} once everything stored so far is durable under the fsync policy. */
  void whenDurable(Runnable action);

  /**
   * Runs {@code action} once everything stored so far is written to the operating system: it then
   * survives a crash of this process (kill -9), not necessarily a power loss. Never later than
   * {@link #whenDurable}.
   */
  void whenWritten(Runnable action);

  Recovery recover(ByteBufAllocator alloc);

  /** Sync times, for {@code /metrics}. */
  default StoreStats stats() {
    return NO_STATS;
  }

  /** What is stored now (zeros for a store that keeps nothing). */
  default StoreStats.Usage usage() {
    return new StoreStats.Usage(0, 0, 0);
  }

  /** The stats of a store that never syncs. */
  StoreStats NO_STATS = new StoreStats();

  @Override
  void close();
}
