package io.qmsgbus.routing;

import io.qmsgbus.message.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A receiver group ({@code {"register":"jobs","group":"workers"}}): to the router one receiver of
 * its skill, to its members a shared queue. Each packet goes to exactly one member, and only to one
 * that holds no other packet of the group (in ACK mode: whose previous one is acked), round-robin
 * among those; when none is free the packet waits here, in a queue bounded by {@code maxQueued}
 * (the oldest dropped past it). A member that leaves with a packet it never delivered (its session
 * ended) hands it back: it goes to the next free member first.
 *
 * <p>Synchronized: members and publishers are on any event loop; the work under the lock is a few
 * field updates and a hand-off that only queues on the member's loop.
 */
public final class Group implements Receiver {

  private static final class Seat {
    final GroupMember member;
    Message holding; // the group's own reference to the packet this member has, or null
    boolean paused; // its client is away (a detached durable session)

    Seat(GroupMember member) {
      this.member = member;
    }
  }

  private final String skill;
  private final String name;
  private final int maxQueued;
  private final Consumer<Message> dropped;
  private final List<Seat> seats = new ArrayList<>();
  private final ArrayDeque<Message> queue = new ArrayDeque<>();
  private int next;
  private boolean closed;

  /**
   * @param dropped told of a packet the full queue dropped (for the counters), before it is freed
   */
  Group(String skill, String name, int maxQueued, Consumer<Message> dropped) {
    this.skill = skill;
    this.name = name;
    this.maxQueued = maxQueued;
    this.dropped = dropped;
  }

  public String skill() {
    return skill;
  }

  public String name() {
    return name;
  }

  @Override
  public synchronized void offer(Message message) {
    if (closed) { // a packet handed back after the last member left
      if (message.delivery() != null) {
        message.delivery().gone();
      }
      message.release();
      return;
    }
    if (!handOut(message)) {
      if (queue.size() >= maxQueued) {
        Message oldest = queue.poll();
        dropped.accept(oldest);
        if (oldest.delivery() != null) {
          oldest.delivery().dropped();
        }
        oldest.release();
      }
      queue.add(message);
    }
  }

  /** Gives {@code m} (the caller's reference) to the next free member; false if none is free. */
  private boolean handOut(Message m) {
    int n = seats.size();
    for (int i = 0; i < n; i++) {
      int at = (next + i) % n;
      Seat s = seats.get(at);
      if (s.holding == null && !s.paused) {
        next = at + 1;
        s.holding = m.retain(); // ours, to hand to another if this member goes without it
        s.member.takeFromGroup(m, this);
        return true;
      }
    }
    return false;
  }

  private void pump() {
    Message m;
    while ((m = queue.peek()) != null && handOut(m)) {
      queue.poll();
    }
  }

  synchronized void join(GroupMember member) {
    for (Seat s : seats) {
      if (s.member == member) {
        return;
      }
    }
    seats.add(new Seat(member));
    pump();
  }

  /**
   * {@code member} leaves. If it holds a packet, {@code handBack} says whether it will never
   * deliver it (its session ended: the packet goes to another member) or still will (it
   * deregistered: what it queued is still delivered, the seed's rule).
   *
   * @return whether the group is now empty
   */
  synchronized boolean leave(GroupMember member, boolean handBack) {
    for (int i = 0; i < seats.size(); i++) {
      Seat s = seats.get(i);
      if (s.member == member) {
        seats.remove(i);
        if (next > i) {
          next--;
        }
        if (s.holding != null) {
          if (handBack) {
            queue.addFirst(s.holding);
          } else {
            s.holding.release();
          }
        }
        pump();
        break;
      }
    }
    return seats.isEmpty();
  }

  /** {@code member} is done with {@code m} (acked, sent or dropped): it is free for the next. */
  public synchronized void done(GroupMember member, Message m) {
    for (Seat s : seats) {
      if (s.member == member && s.holding == m) {
        s.holding = null;
        m.release();
        pump();
        return;
      }
    }
  }

  /** {@code member}'s client went away (or came back): it gets nothing new meanwhile. */
  public synchronized void paused(GroupMember member, boolean paused) {
    for (Seat s : seats) {
      if (s.member == member) {
        s.paused = paused;
      }
    }
    if (!paused) {
      pump();
    }
  }

  /** Packets waiting for a free member. */
  public synchronized int queued() {
    return queue.size();
  }

  public synchronized int members() {
    return seats.size();
  }

  /** The group is gone: what waits is dropped. */
  synchronized void close() {
    closed = true;
    Message m;
    while ((m = queue.poll()) != null) {
      if (m.delivery() != null) {
        m.delivery().gone();
      }
      m.release();
    }
  }
}
