package io.qmsgbus.routing;

import io.qmsgbus.message.Message;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The receiver groups of a server, by skill (or pattern) and name: made when the first member
 * joins, subscribed in the router as one receiver, and gone with the last member.
 */
public final class Groups {

  private final Router router;
  private final int maxQueued;
  private final Consumer<Message> dropped;
  private final Map<String, Group> groups = new HashMap<>(); // guarded by this

  /**
   * @param maxQueued packets a group holds while no member is free
   * @param dropped told of each packet a full group queue dropped
   */
  public Groups(Router router, int maxQueued, Consumer<Message> dropped) {
    this.router = router;
    this.maxQueued = maxQueued;
    this.dropped = dropped;
  }

  private static String key(String skill, String name) {
    return skill + '\u0000' + name;
  }

  /** {@code member} joins group {@code name} of {@code skill}; returns the group. */
  public synchronized Group join(String skill, String name, GroupMember member) {
    Group g = groups.get(key(skill, name));
    if (g == null) {
      g = new Group(skill, name, maxQueued, dropped);
      groups.put(key(skill, name), g);
      router.subscribe(skill, g);
    }
    g.join(member);
    return g;
  }

  /**
   * {@code member} leaves {@code g} ({@code handBack}: see {@link Group#leave}); the last one to
   * leave ends the group.
   */
  public synchronized void leave(Group g, GroupMember member, boolean handBack) {
    if (g.leave(member, handBack) && groups.remove(key(g.skill(), g.name()), g)) {
      router.unsubscribe(g.skill(), g);
      g.close();
    }
  }

  /** Groups now (for stats). */
  public synchronized int size() {
    return groups.size();
  }
}
