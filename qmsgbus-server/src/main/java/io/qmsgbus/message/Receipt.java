package io.qmsgbus.message;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A publisher confirm in progress: settled once every durable receiver has stored the message (or
 * refused it). The publisher holds one count while routing; each durable receiver adds one when the
 * message is offered to it, synchronously during routing, so the count cannot reach zero before
 * every receiver has had its say. Settles exactly once, on whichever thread gives the last word.
 */
public final class Receipt {

  private final AtomicInteger pending = new AtomicInteger(1);
  private final Consumer<String> settled;
  private volatile String failure;

  /**
   * @param settled told null (stored everywhere) or the first failure's reason
   */
  public Receipt(Consumer<String> settled) {
    this.settled = settled;
  }

  /** A durable receiver will answer. Called while routing, before the publisher's {@link #done}. */
  public void expect() {
    pending.incrementAndGet();
  }

  /** One party is satisfied: the publisher after routing, or a receiver once stored. */
  public void done() {
    if (pending.decrementAndGet() == 0) {
      settled.accept(failure);
    }
  }

  /** One party could not take the message; the first reason is the one reported. */
  public void fail(String reason) {
    if (failure == null) {
      failure = reason;
    }
    done();
  }
}
