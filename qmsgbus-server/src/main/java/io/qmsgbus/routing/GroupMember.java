package io.qmsgbus.routing;

import io.qmsgbus.message.Message;

/** A receiver that can be a member of a {@link Group}: a client's session. */
public interface GroupMember {

  /**
   * Takes one packet on behalf of {@code group}: the member owns the reference passed in, and tells
   * the group {@link Group#done} once the packet is acked, sent (fast-push) or dropped. May be
   * called from any thread (the member hands it to its own).
   */
  void takeFromGroup(Message message, Group group);
}
