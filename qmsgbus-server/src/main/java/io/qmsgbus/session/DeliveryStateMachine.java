package io.qmsgbus.session;

import io.qmsgbus.config.OverflowPolicy;
import java.util.ArrayDeque;

/**
 * One client's queue and its delivery rules (PROTOCOL.md section 4): a window of one packet paced
 * by {@code ack}, an optional kept copy for {@code get}, and fast-push. Not thread-safe by design:
 * it is only ever touched from its client's event loop, so the per-packet path takes no lock.
 *
 * <p>The machine owns one reference to every packet it holds (queued or kept); {@link Output} says
 * how to write, duplicate and free one, so the same code drives Netty buffers in the server and
 * plain values in the unit tests.
 *
 * @param <T> a packet
 */
public final class DeliveryStateMachine<T> {

  /** Where packets go and how their references are managed. */
  public interface Output<T> {
    /** Writes a packet to the client; consumes the reference passed in. */
    void write(T packet);

    /** Returns a second reference to the packet (kept for GET while the first is written). */
    T retain(T packet);

    /** Frees one reference. */
    void release(T packet);

    /** The packet's size in bytes, for the queue's byte bound. */
    int size(T packet);

    /** The overflow policy dropped this packet; called just before the machine releases it. */
    void dropped(T packet);

    /** The queue is full and the policy is {@link OverflowPolicy#DISCONNECT}. */
    void disconnect();

    /** The client acked {@code packet} (borrowed: the machine releases it after this returns). */
    default void acked(T packet) {}

    /**
     * Written in fast-push mode, where no ack is awaited: the machine is done with it as a queue
     * item (so a store can forget it). Borrowed, like {@link #acked}.
     */
    default void delivered(T packet) {}
  }

  private final Output<T> out;
  private final ArrayDeque<T> queue = new ArrayDeque<>();
  private final int maxPackets;
  private final long maxBytes;
  private final OverflowPolicy policy;

  private long queuedBytes;
  private boolean buffering;
  private boolean fastpush;
  private boolean inFlight;
  private boolean writable = true;
  private boolean closed;
  private T kept;

  /**
   * The packet sent and not yet acked (ACK mode only; in fast-push nothing is awaited), held so
   * that its owner can re-send it to a client that comes back.
   */
  private T unacked;

  private long sent;
  private long acked;
  private long dropped;

  public DeliveryStateMachine(Output<T> out, int maxPackets, long maxBytes, OverflowPolicy policy) {
    this.out = out;
    this.maxPackets = maxPackets;
    this.maxBytes = maxBytes;
    this.policy = policy;
  }

  /**
   * Rule 1: a packet arrives. Sent at once when the window allows, else queued.
   *
   * @return whether it was taken (sent or queued); false if the overflow policy dropped it
   */
  public boolean offer(T packet) {
    if (closed) {
      out.release(packet);
      return false;
    }
    if (queue.isEmpty() && canSend()) {
      send(packet);
      return true;
    }
    int size = out.size(packet);
    if (queue.size() >= maxPackets || queuedBytes + size > maxBytes) {
      if (!makeRoom(packet, size)) {
        return false;
      }
    }
    queue.addLast(packet);
    queuedBytes += size;
    return true;
  }

  /**
   * Rule 8: a client came back to this session on a new connection. The packet it had in flight and
   * did not ack is sent again first (at-least-once), then the queue follows as the window allows.
   * Counts as a send, not as a new packet.
   */
  public void resume(boolean writableNow) {
    writable = writableNow;
    if (unacked != null && writable) {
      sent++;
      out.write(out.retain(unacked));
    }
    drain();
  }

  /** Applies the overflow policy; returns whether {@code packet} may still be queued. */
  private boolean makeRoom(T packet, int size) {
    if (policy == OverflowPolicy.DROP_OLDEST) {
      while (!queue.isEmpty() && (queue.size() >= maxPackets || queuedBytes + size > maxBytes)) {
        T oldest = queue.pollFirst();
        queuedBytes -= out.size(oldest);
        drop(oldest);
      }
      if (queuedBytes + size <= maxBytes) {
        return true;
      }
      // a single packet larger than the whole byte bound: it cannot be queued at all
    }
    drop(packet);
    if (policy == OverflowPolicy.DISCONNECT) {
      out.disconnect();
    }
    return false;
  }

  private void drop(T packet) {
    dropped++;
    out.dropped(packet);
    out.release(packet);
  }

  /** Rules 2 and 3: the client has the packet in flight; release it and send the next. */
  public void ack() {
    if (!inFlight) {
      return;
    }
    inFlight = false;
    acked++;
    if (unacked != null) {
      T p = unacked;
      unacked = null;
      out.acked(p);
      out.release(p);
    }
    releaseKept();
    drain();
  }

  /** Rule 4: re-send the kept packet, if buffering is on and one is kept. Not an ack. */
  public void get() {
    if (buffering && kept != null && writable) {
      out.write(out.retain(kept));
      sent++;
    }
  }

  /** Buffering on keeps packets sent from now on; off drops the kept one. */
  public void buffering(boolean on) {
    buffering = on;
    if (!on) {
      releaseKept();
    }
  }

  /** Fast-push on sends everything queued now and every later packet on arrival. */
  public void fastpush(boolean on) {
    fastpush = on;
    if (on && unacked != null) { // fast-push awaits nothing: the packet in flight is let go
      T p = unacked;
      unacked = null;
      out.delivered(p);
      out.release(p);
    }
    drain();
  }

  /**
   * The socket's writability: while it cannot take more, packets wait in this (bounded) queue
   * instead of piling up in the transport's unbounded outbound buffer.
   */
  public void writable(boolean on) {
    writable = on;
    drain();
  }

  /** Frees everything held; later offers are released at once. */
  public void close() {
    closed = true;
    releaseKept();
    if (unacked != null) {
      T p = unacked;
      unacked = null;
      out.release(p);
    }
    T p;
    while ((p = queue.pollFirst()) != null) {
      out.release(p);
    }
    queuedBytes = 0;
  }

  private boolean canSend() {
    return writable && (fastpush || !inFlight);
  }

  private void drain() {
    while (!queue.isEmpty() && canSend()) {
      T p = queue.pollFirst();
      queuedBytes -= out.size(p);
      send(p);
    }
  }

  private void send(T packet) {
    if (buffering) {
      T copy = out.retain(packet);
      releaseKept();
      kept = copy;
    }
    if (!fastpush) {
      if (unacked != null) { // sent in fast-push mode, then fast-push was turned off
        out.delivered(unacked);
        out.release(unacked);
      }
      unacked = out.retain(packet);
    }
    inFlight = true;
    sent++;
    if (fastpush) {
      out.delivered(packet);
    }
    out.write(packet);
  }

  private void releaseKept() {
    if (kept != null) {
      T k = kept;
      kept = null;
      out.release(k);
    }
  }

  public int queued() {
    return queue.size();
  }

  public long queuedBytes() {
    return queuedBytes;
  }

  public boolean inFlight() {
    return inFlight;
  }

  public boolean buffering() {
    return buffering;
  }

  public boolean fastpush() {
    return fastpush;
  }

  /** The packet awaiting an ack (ACK mode), or null; borrowed, not a new reference. */
  public T unacked() {
    return unacked;
  }

  public boolean hasKept() {
    return kept != null;
  }

  public long sent() {
    return sent;
  }

  public long acked() {
    return acked;
  }

  public long dropped() {
    return dropped;
  }
}
