package io.qmsgbus.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the server has confirmed for this client: its registrations and the flags it set. The server
 * forgets all of it when a connection ends, so a reconnect replays it. Only confirmed changes are
 * recorded: a request that failed left the server (and so this record) unchanged.
 */
final class SessionState {

  private final Set<String> skills = new LinkedHashSet<>();
  private Boolean buffering;
  private Boolean fastpush;

  synchronized void registered(Collection<String> added) {
    skills.addAll(added);
  }

  synchronized void deregistered(Collection<String> removed) {
    skills.removeAll(removed);
  }

  synchronized void buffering(boolean on) {
    buffering = on;
  }

  synchronized void fastpush(boolean on) {
    fastpush = on;
  }

  synchronized Set<String> skills() {
    return Set.copyOf(skills);
  }

  /** The packet that re-applies this state, or {@code null} if it is the server's default. */
  synchronized String restorePacket(long id) {
    return ControlPackets.restore(new ArrayList<>(skills), buffering, fastpush, id);
  }
}
