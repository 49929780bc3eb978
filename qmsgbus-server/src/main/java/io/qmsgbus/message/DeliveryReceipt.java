package io.qmsgbus.message;

import java.util.function.Consumer;

/**
 * What became of one packet whose publisher asked for a receipt: each receiver it was routed to
 * says once whether it was acked (or, in fast-push, sent), dropped by a full queue, or never
 * delivered because the receiver went (its session ended, it deregistered). The receipt is settled
 * when every receiver has said so, or when the publisher's timeout runs out (then the rest count as
 * pending). Receivers may answer before routing has counted them, on any thread.
 */
public final class DeliveryReceipt {

  /** The fate of a packet, as the publisher hears it. */
  public record Fate(int receivers, int acked, int dropped, int gone, int pending) {}

  private final Consumer<Fate> settled;
  private int receivers = -1;
  private int acked;
  private int dropped;
  private int gone;
  private boolean done;

  /**
   * @param settled told the fate once, on the thread of the last word (or of the timeout)
   */
  public DeliveryReceipt(Consumer<Fate> settled) {
    this.settled = settled;
  }

  /** Routing is done: the packet went to {@code n} receivers. */
  public void routedTo(int n) {
    Fate f;
    synchronized (this) {
      receivers = n;
      f = settle(false);
    }
    tell(f);
  }

  public void acked() {
    Fate f;
    synchronized (this) {
      acked++;
      f = settle(false);
    }
    tell(f);
  }

  public void dropped() {
    Fate f;
    synchronized (this) {
      dropped++;
      f = settle(false);
    }
    tell(f);
  }

  public void gone() {
    Fate f;
    synchronized (this) {
      gone++;
      f = settle(false);
    }
    tell(f);
  }

  /** The publisher waited long enough: what is not known yet is pending. */
  public void timedOut() {
    Fate f;
    synchronized (this) {
      f = settle(true);
    }
    tell(f);
  }

  private Fate settle(boolean timeout) {
    if (done || receivers < 0 && !timeout) {
      return null;
    }
    int known = acked + dropped + gone;
    int n = Math.max(receivers, known);
    if (!timeout && known < n) {
      return null;
    }
    done = true;
    return new Fate(n, acked, dropped, gone, Math.max(0, n - known));
  }

  private void tell(Fate f) {
    if (f != null) {
      settled.accept(f);
    }
  }
}
