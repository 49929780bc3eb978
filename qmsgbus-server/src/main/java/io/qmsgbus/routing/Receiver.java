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
}
