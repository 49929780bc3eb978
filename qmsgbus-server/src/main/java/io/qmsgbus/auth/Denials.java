package io.qmsgbus.auth;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.qmsgbus.protocol.PacketClassifier;

/** The error replies for refused publishes and registrations (rare paths: allocation is fine). */
public final class Denials {

  private Denials() {}

  public static String publishReason(String skill) {
    return "not allowed to publish to '" + skill + "'";
  }

  public static String registerReason(String skill) {
    return "not allowed to register for '" + skill + "'";
  }

  /**
   * The top-level {@code id} of a data packet as JSON text ({@code 7}, {@code "a"}), or null: the
   * classifier stops reading at {@code skill}, so an id after it has to be looked up here.
   */
  public static String idJson(ByteBuf packet) {
    byte[] bytes = ByteBufUtil.getBytes(packet);
    return PacketClassifier.idOf(bytes, 0, bytes.length);
  }
}
