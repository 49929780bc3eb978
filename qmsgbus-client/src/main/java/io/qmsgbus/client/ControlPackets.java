package io.qmsgbus.client;

import java.util.Collection;
import java.util.List;

/** Builds the JSON text of the packets {@link BusClient} sends (PROTOCOL.md sections 3 and 4). */
final class ControlPackets {

  /** The ACK; sent without an id, since nobody waits for its reply. */
  static final String ACK = "{\"ack\":\"\"}";

  private ControlPackets() {}

  static String register(Collection<String> skills, long id) {
    return "{\"register\":" + array(skills) + ",\"id\":" + id + "}";
  }

  static String deregister(Collection<String> skills, long id) {
    return "{\"deregister\":" + array(skills) + ",\"id\":" + id + "}";
  }

  static String flag(String name, boolean on, long id) {
    return "{\"" + name + "\":" + on + ",\"id\":" + id + "}";
  }

  static String get(long id) {
    return "{\"get\":\"\",\"id\":" + id + "}";
  }

  /**
   * The one packet that re-applies a session after a reconnect, or {@code null} when there is
   * nothing to re-apply. Keys go in the order the server applies them anyway (register first).
   */
  static String restore(List<String> skills, Boolean buffering, Boolean fastpush, long id) {
    StringBuilder out = new StringBuilder("{");
    if (!skills.isEmpty()) {
      out.append("\"register\":").append(array(skills)).append(',');
    }
    if (buffering != null) {
      out.append("\"buffering\":").append(buffering).append(',');
    }
    if (fastpush != null) {
      out.append("\"fastpush\":").append(fastpush).append(',');
    }
    if (out.length() == 1) {
      return null;
    }
    return out.append("\"id\":").append(id).append('}').toString();
  }

  /** A data packet whose payload is the given JSON text, inserted verbatim. */
  static String dataJson(String skill, String payloadJson) {
    return "{\"skill\":" + Json.quote(skill) + ",\"payload\":" + payloadJson + "}";
  }

  /** A data packet with an {@code id}, for a publisher confirm. */
  static String dataJson(String skill, long id, String payloadJson) {
    return "{\"skill\":"
        + Json.quote(skill)
        + ",\"id\":"
        + id
        + ",\"payload\":"
        + payloadJson
        + "}";
  }

  /** Asks for the connection's private inbox (PROTOCOL.md 7, request/reply). */
  static String inbox(long id) {
    return "{\"inbox\":true,\"id\":" + id + "}";
  }

  /**
   * A request: a data packet whose answer goes to skill {@code reply}, correlated by {@code id}.
   */
  static String request(String skill, String reply, long id, String payloadJson) {
    return "{\"skill\":"
        + Json.quote(skill)
        + ",\"reply\":"
        + Json.quote(reply)
        + ",\"id\":"
        + id
        + ",\"payload\":"
        + payloadJson
        + "}";
  }

  /**
   * An answer to a request: published to the request's {@code reply} skill, {@code re} the
   * request's {@code id} as JSON text (none if the request had none).
   */
  static String answer(String reply, String reJson, String payloadJson) {
    return "{\"skill\":"
        + Json.quote(reply)
        + (reJson == null ? "" : ",\"re\":" + reJson)
        + ",\"payload\":"
        + payloadJson
        + "}";
  }

  /** A data packet whose payload is {@code text} as a JSON string. */
  static String dataText(String skill, String text) {
    return dataJson(skill, Json.quote(text));
  }

  private static String array(Collection<String> values) {
    StringBuilder out = new StringBuilder("[");
    for (String value : values) {
      if (out.length() > 1) {
        out.append(',');
      }
      Json.appendQuoted(out, value);
    }
    return out.append(']').toString();
  }
}
