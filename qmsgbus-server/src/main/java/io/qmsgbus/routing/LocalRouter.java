package io.qmsgbus.routing;

import io.qmsgbus.message.Message;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-process routing table. Reads (one per data packet) vastly outnumber writes (register,
 * deregister, disconnect), so each skill maps to an immutable array replaced on change: publish is
 * one lock-free map lookup and a plain array walk.
 */
public final class LocalRouter implements Router {

  private static final Receiver[] NONE = new Receiver[0];

  private final ConcurrentHashMap<String, Receiver[]> table = new ConcurrentHashMap<>();

  @Override
  public boolean subscribe(String skill, Receiver receiver) {
    boolean[] added = {false};
    table.compute(
        skill,
        (k, current) -> {
          Receiver[] now = current == null ? NONE : current;
          for (Receiver r : now) {
            if (r == receiver) {
              return now;
            }
          }
          Receiver[] next = Arrays.copyOf(now, now.length + 1);
          next[now.length] = receiver;
          added[0] = true;
          return next;
        });
    return added[0];
  }

  @Override
  public boolean unsubscribe(String skill, Receiver receiver) {
    boolean[] removed = {false};
    table.computeIfPresent(
        skill,
        (k, current) -> {
          for (int i = 0; i < current.length; i++) {
            if (current[i] == receiver) {
              removed[0] = true;
              if (current.length == 1) {
                return null; // the skill disappears with its last receiver
              }
              Receiver[] next = new Receiver[current.length - 1];
              System.arraycopy(current, 0, next, 0, i);
              System.arraycopy(current, i + 1, next, i, current.length - i - 1);
              return next;
            }
          }
          return current;
        });
    return removed[0];
  }

  @Override
  public int publish(Message message) {
    Receiver[] receivers = table.get(message.skill());
    if (receivers == null) {
      return 0;
    }
    // one message for all: each receiver gets a reference, not a copy. Retained one at a time, so
    // a receiver that throws leaves no reference behind for the ones after it.
    for (Receiver r : receivers) {
      r.offer(message.retain());
    }
    return receivers.length;
  }

  @Override
  public boolean hasReceivers(String skill) {
    return table.containsKey(skill);
  }

  @Override
  public int skillCount() {
    return table.size();
  }

  @Override
  public Map<String, Integer> receiverCounts() {
    Map<String, Integer> counts = new TreeMap<>();
    table.forEach((skill, receivers) -> counts.put(skill, receivers.length));
    return counts;
  }

  /** Tells every receiver of {@code skill} that packets from {@code node} were lost. */
  public void gap(String skill, String node, long missed) {
    Receiver[] receivers = table.get(skill);
    if (receivers != null) {
      for (Receiver r : receivers) {
        r.gap(skill, node, missed);
      }
    }
  }
}
