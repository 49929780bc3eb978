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

  void whenDurable(Runnable action);

  Recovery recover(ByteBufAllocator alloc);

  @Override
  void close();
}
