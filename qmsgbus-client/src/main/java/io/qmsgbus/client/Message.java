package io.qmsgbus.client;

import java.nio.charset.StandardCharsets;

/**
 * A data packet received from the bus: the exact bytes its sender published. Immutable and
 * thread-safe.
 */
public final class Message {

  private final byte[] bytes;
  private final long connection;

  Message(byte[] bytes, long connection) {
    this.bytes = bytes;
    this.connection = connection;
  }

  /** Returns a copy of the packet's bytes (UTF-8 JSON, as sent). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Returns the packet decoded as UTF-8, e.g. {@code {"skill":"a","payload":1}}. */
  public String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Returns the packet's top-level {@code skill}, or {@code null} if the packet is not a JSON
   * object with a string {@code skill} (the server checks this, so only a misbehaving one could
   * send such a packet).
   */
  public String skill() {
    return JsonReader.topLevelString(text(), "skill");
  }

  /**
   * Returns the exact JSON text of the packet's top-level {@code payload} (e.g. {@code 42}, {@code
   * "text"} with its quotes, {@code {"a":1}}), or {@code null} if it has none.
   */
  public String payloadJson() {
    return JsonReader.topLevelRaw(text(), "payload");
  }

  /** Returns the packet's size in bytes. */
  public int size() {
    return bytes.length;
  }

  /** Which connection delivered it; an ACK is only meaningful on that same connection. */
  long connection() {
    return connection;
  }

  @Override
  public String toString() {
    return "Message" + text();
  }
}
