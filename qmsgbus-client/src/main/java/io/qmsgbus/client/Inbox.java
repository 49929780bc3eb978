package io.qmsgbus.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Received messages on their way to the application: either pulled with {@link #take}, or pushed to
 * a handler by one dedicated thread (so a slow handler never stalls the socket, and handlers see
 * messages one at a time, in order). After each hand-over, {@code delivered} runs (the auto-ACK).
 */
final class Inbox {

  private static final System.Logger LOG = System.getLogger(Inbox.class.getName());

  private final BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
  private final Consumer<Message> delivered;
  private final String threadName;
  private volatile Consumer<Message> handler;
  private Thread pusher;
  private volatile boolean closed;

  Inbox(Consumer<Message> delivered, String threadName) {
    this.delivered = delivered;
    this.threadName = threadName;
  }

  void add(Message message) {
    if (!closed) {
      queue.add(message);
    }
  }

  /** Waits up to {@code timeout} for the next message; {@code null} if none came. */
  Message take(Duration timeout) throws InterruptedException {
    if (handler != null) {
      throw new IllegalStateException("messages go to the onMessage handler; take() is unused");
    }
    Message m = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (m != null) {
      delivered.accept(m);
    }
    return m;
  }

  /** Pushes every message, from now on, to {@code handler}; replaces any earlier handler. */
  synchronized void setHandler(Consumer<Message> handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
    if (pusher == null && !closed) {
      pusher = new Thread(this::push, threadName);
      pusher.setDaemon(true);
      pusher.start();
    }
  }

  /** Drops what is queued and stops the handler thread (after its current message). */
  synchronized void close() {
    closed = true;
    queue.clear();
    if (pusher != null) {
      pusher.interrupt();
    }
  }

  private void push() {
    while (!closed) {
      Message m;
      try {
        m = queue.take();
      } catch (InterruptedException e) {
        return; // close() is the only one who interrupts this thread
      }
      try {
        handler.accept(m);
      } catch (RuntimeException e) {
        // the packet counts as handled: re-delivering it would likely fail the same way
        LOG.log(System.Logger.Level.WARNING, "onMessage handler failed", e);
      }
      delivered.accept(m);
    }
  }
}
