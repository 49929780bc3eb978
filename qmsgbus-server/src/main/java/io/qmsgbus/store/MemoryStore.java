package io.qmsgbus.store;

import io.netty.buffer.ByteBufAllocator;
import io.qmsgbus.message.Message;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

public final class MemoryStore implements SessionStore {
  private final AtomicLong keys = new AtomicLong();

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public void saveSession(StoredSession s) {}

  @Override
  public void deleteSession(String name) {}

  @Override
  public long enqueue(String name, Message m) {
    return keys.incrementAndGet();
  }

  @Override
  public void remove(String name, long key) {}

  @Override
  public void whenDurable(Runnable action) {
    action.run();
  }

  @Override
  public void whenWritten(Runnable action) {
    action.run();
  }

  @Override
  public Recovery recover(ByteBufAllocator alloc) {
    return new Recovery(List.of(), 0, List.of());
  }

  @Override
  public void close() {}
}
