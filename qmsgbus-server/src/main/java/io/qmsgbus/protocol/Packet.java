package io.qmsgbus.protocol;

import java.util.List;

/**
 * What one frame from a client is (PROTOCOL.md section 2). Ids are kept as their JSON text so a
 * reply echoes exactly what the client sent, whatever its number precision.
 */
public sealed interface Packet {

  /** A data packet: its exact bytes go to every receiver of {@code skill}. */
  record Data(String skill) implements Packet {}

  /**
   * A control packet. A field that is {@code null} (or {@code false} for ack/get) was absent.
   *
   * @param idJson the {@code id} as JSON text ({@code 7}, {@code "a"}), or null when none was given
   */
  record Control(
      List<String> register,
      List<String> deregister,
      Boolean buffering,
      Boolean fastpush,
      boolean ack,
      boolean get,
      String idJson)
      implements Packet {}

  /** Bad input: {@code reason} goes back in an error frame, with the id when one was given. */
  record BadInput(String reason, String idJson) implements Packet {}
}
