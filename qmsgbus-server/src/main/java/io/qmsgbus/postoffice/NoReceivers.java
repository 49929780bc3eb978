package io.qmsgbus.postoffice;

import java.util.function.IntConsumer;

/**
 * Decides whether a request reached nobody: this node's receivers are counted when routing returns,
 * the other nodes' (and durable queues') when Redis answers, in either order. Tells {@code nobody}
 * once, only if both counts are known and zero.
 */
final class NoReceivers implements IntConsumer {

  private final Runnable nobody;
  private int local = -1;
  private int remote = -1;

  NoReceivers(Runnable nobody) {
    this.nobody = nobody;
  }

  synchronized void local(int n) {
    local = n;
    decide();
  }

  /** The other nodes' count, or -1 if it is not known (then nothing is said). */
  @Override
  public synchronized void accept(int n) {
    remote = n;
    decide();
  }

  private void decide() {
    if (local == 0 && remote == 0) {
      local = -1; // once
      nobody.run();
    }
  }
}
