package io.qmsgbus.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * The wire a session is attached to: frames out, writability, reads on hold, close. The session
 * owns what a client is (registrations, queue, delivery rules); the connection only carries bytes,
 * so a session can later outlive one connection and be attached to the next. All methods are called
 * on {@link #eventLoop()}.
 */
public interface Connection {

  /** Why reads from the client are held; each reason is set and cleared on its own. */
  enum Hold {
    /** The global queue budget is spent (a publisher is paused). */
    BUDGET,
    /** The client does not read its replies; stop reading what would make more. */
    REPLIES,
    /** Not yet attached to its session (the session is moving to this connection's loop). */
    ATTACH,
    /** A register waits for the cluster to confirm the subscription before its reply. */
    SUBSCRIBE
  }

  EventLoop eventLoop();

  /** Appends a BINARY frame with {@code payload}'s readable bytes; does not consume it. */
  void binary(ByteBuf payload);

  /** Appends a TEXT frame (replies, errors, notices). */
  void text(String json);

  /** Writes out and flushes everything appended. */
  void flush();

  /** Whether the socket takes more now (below its high water mark). */
  boolean isWritable();

  /** Bytes appended or written but not yet on the socket. */
  long pendingBytes();

  /** Stops ({@code on}) or resumes reading from the client for {@code reason}. */
  void hold(Hold reason, boolean on);

  /** Whether reads are held for {@code reason}. */
  boolean held(Hold reason);

  /**
   * Sends what is appended, then a close frame with {@code code} and {@code reason}, then closes.
   */
  void close(int code, String reason);

  /** Frees what is appended and not yet written; for a connection that is gone. */
  void discard();

  /** False once {@link #close} was called or the peer went: nothing it sends counts any more. */
  boolean isOpen();

  String remoteAddress();
}
