package io.qmsgbus.routing;

import io.qmsgbus.message.Message;

/**
 * Something that takes delivered messages: a client's session today; a remote node or a durable
 * store later. This is the seam the router knows sessions through.
 */
public interface Receiver {

  /**
   * Hands over one message; the receiver owns the reference passed in and must release it. The same
   * message goes to every receiver, so its bytes are read-only. May be called from any thread.
   */
  void offer(Message message);

  /**
   * Packets of {@code skill} from node {@code node} were lost on the way here ({@code missed} of
   * them, seen by a gap in that node's sequence numbers). May be called from any thread.
   */
  default void gap(String skill, String node, long missed) {}
}
