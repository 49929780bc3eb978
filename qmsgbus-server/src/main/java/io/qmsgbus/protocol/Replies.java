package io.qmsgbus.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** The TEXT frames the server sends back (PROTOCOL.md section 5). */
public final class Replies {

  private Replies() {}

  /** {@code {"id":7,"ok":true}}; only ever sent when the client gave an id. */
  public static String ok(String idJson) {
    return "{\"id\":" + idJson + ",\"ok\":true}";
  }

  /** {@code {"id":7,"ok":false,"error":"..."}}, or without id when none was given. */
  public static String error(String idJson, String reason) {
    String body = "\"ok\":false,\"error\":" + jsonString(reason) + "}";
    return idJson == null ? "{" + body : "{\"id\":" + idJson + "," + body;
  }

  /**
   * A notice that the overflow policy dropped packets of {@code skill} for this client (an
   * extension, sent only to clients that asked with {@code {"notices":true}}).
   */
  public static String dropped(long count, String skill) {
    return "{\"dropped\":" + count + ",\"skill\":" + jsonString(skill) + "}";
  }

  /**
   * The notice a client that asked for notices gets when it comes back to its durable session:
   * {@code {"session":"NAME","resumed":true,"queued":N}}, N counting the packet sent again.
   */
  public static String resumed(String session, int queued) {
    return "{\"session\":" + jsonString(session) + ",\"resumed\":true,\"queued\":" + queued + "}";
  }

  /**
   * A notice that {@code missed} packets of {@code skill} published on node {@code node} never
   * reached this node (the cluster link lost them): {@code {"gap":N,"skill":"...","node":"..."}}.
   */
  public static String gap(long missed, String skill, String node) {
    return "{\"gap\":"
        + missed
        + ",\"skill\":"
        + jsonString(skill)
        + ",\"node\":"
        + jsonString(node)
        + "}";
  }

  /** {@code {"id":7,"ok":true,"inbox":"_inbox.NAME"}}: the private inbox a client asked for. */
  public static String inbox(String idJson, String inbox) {
    String body = "\"ok\":true,\"inbox\":" + jsonString(inbox) + "}";
    return idJson == null ? "{" + body : "{\"id\":" + idJson + "," + body;
  }

  /**
   * A delivery receipt: {@code {"id":7,"receipt":{"receivers":n,"acked":a,"dropped":d,"gone":g}}},
   * with {@code "pending":p} when it was sent at the timeout with receivers not heard from.
   */
  public static String receipt(
      String idJson, int receivers, int acked, int dropped, int gone, int pending) {
    return "{\"id\":"
        + idJson
        + ",\"receipt\":{\"receivers\":"
        + receivers
        + ",\"acked\":"
        + acked
        + ",\"dropped\":"
        + dropped
        + ",\"gone\":"
        + gone
        + (pending > 0 ? ",\"pending\":" + pending : "")
        + "}}";
  }

  static String jsonString(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }
}
