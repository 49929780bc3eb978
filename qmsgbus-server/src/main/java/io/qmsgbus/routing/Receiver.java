package io.qmsgbus.routing;

import io.netty.buffer.ByteBuf;

/**
 * Something that takes delivered packets: a connected client's session today; a remote node or a
 * durable store later. This is the seam the router knows sessions through.
 */
public interface Receiver {

  /**
   * Hands over one packet; the receiver owns the reference passed in and must release it. The same
   * buffer goes to every receiver of the packet, so it is read-only: read it by absolute index (or
   * through a duplicate), never move its reader or writer index. May be called from any thread.
   */
  void offer(ByteBuf packet);
}
