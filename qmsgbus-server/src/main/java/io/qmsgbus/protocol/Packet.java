package io.qmsgbus.protocol;

import java.util.List;

/**
 * What one frame from a client is (PROTOCOL.md section 2). Ids are kept as their JSON text so a
 * reply echoes exactly what the client sent, whatever its number precision.
 */
public sealed interface Packet {

  /**
   * A data packet: its exact bytes go to every receiver of {@code skill}.
   *
   * @param idJson its top-level {@code id} as JSON text ({@code 7}, {@code "a"}) as sent, or null
   *     when none was given: for an error reply about it, without reading the packet again
   */
  record Data(String skill, String idJson, String reply, boolean receipt) implements Packet {

    /** A data packet that is not a request and asks for no receipt. */
    public Data(String skill, String idJson) {
      this(skill, idJson, null, false);
    }

    /** Whether it is a request that wants to hear when nobody receives it (reply and id). */
    public boolean isRequest() {
      return reply != null && idJson != null;
    }
  }

  /**
   * A control packet. A field that is {@code null} (or {@code false} for ack/get) was absent.
   *
   * @param idJson the {@code id} as JSON text ({@code 7}, {@code "a"}), or null when none was given
   * @param inbox extension: {@code {"inbox":true}} asks for a private inbox skill (see PROTOCOL.md
   *     section 7), registered for this client only
   * @param group extension: the receiver group that {@code register} and {@code deregister} join
   *     and leave (each packet of the skill goes to one member of the group), or null
   * @param notices extension: ask for {@code {"dropped":n,"skill":..}} notices when the overflow
   *     policy drops packets for this client (off by default: a seed client's deque must only get
   *     TEXT it asked for)
   */
  record Control(
      List<String> register,
      List<String> deregister,
      Boolean buffering,
      Boolean fastpush,
      boolean ack,
      boolean get,
      String idJson,
      Boolean notices,
      Boolean confirms,
      SessionRequest session,
      String group,
      boolean inbox)
      implements Packet {

    /**
     * This packet with other registration and session fields (and no inbox request): what is still
     * to apply of it once part of it has been.
     */
    public Control rest(
        List<String> register, List<String> deregister, SessionRequest session, String group) {
      return new Control(
          register,
          deregister,
          buffering,
          fastpush,
          ack,
          get,
          idJson,
          notices,
          confirms,
          session,
          group,
          false);
    }

    /** Without an inbox request. */
    public Control(
        List<String> register,
        List<String> deregister,
        Boolean buffering,
        Boolean fastpush,
        boolean ack,
        boolean get,
        String idJson,
        Boolean notices,
        Boolean confirms,
        SessionRequest session,
        String group) {
      this(
          register,
          deregister,
          buffering,
          fastpush,
          ack,
          get,
          idJson,
          notices,
          confirms,
          session,
          group,
          false);
    }

    /** Without a receiver group. */
    public Control(
        List<String> register,
        List<String> deregister,
        Boolean buffering,
        Boolean fastpush,
        boolean ack,
        boolean get,
        String idJson,
        Boolean notices,
        Boolean confirms,
        SessionRequest session) {
      this(
          register,
          deregister,
          buffering,
          fastpush,
          ack,
          get,
          idJson,
          notices,
          confirms,
          session,
          null);
    }

    public Control(
        List<String> register,
        List<String> deregister,
        Boolean buffering,
        Boolean fastpush,
        boolean ack,
        boolean get,
        String idJson,
        Boolean notices) {
      this(register, deregister, buffering, fastpush, ack, get, idJson, notices, null, null);
    }

    /** A control packet of the seed's keys only. */
    public Control(
        List<String> register,
        List<String> deregister,
        Boolean buffering,
        Boolean fastpush,
        boolean ack,
        boolean get,
        String idJson) {
      this(register, deregister, buffering, fastpush, ack, get, idJson, null, null, null);
    }
  }

  /** Bad input: {@code reason} goes back in an error frame, with the id when one was given. */
  /**
   * A client naming its durable session, on the upgrade URL or as its first control packet.
   *
   * @param expirySeconds how long the session outlives its connection, or null for the server's
   *     default
   * @param clean whether stored state of that name is discarded first
   */
  record SessionRequest(String name, Long expirySeconds, boolean clean) {}

  record BadInput(String reason, String idJson) implements Packet {}
}
