package io.qmsgbus.bench;

/**
 * The few pieces of the JetStream API (JSON over NATS request/reply) the {@code durable} scenario
 * needs: the stream and consumer configurations it sends, and reading the server's answers (API
 * replies and the PubAck a publish with a reply subject gets). A scan for known keys, not a JSON
 * parser: the server's replies are flat enough, and nothing here runs per message except {@link
 * #pubAckSeq}.
 */
final class JetStreamJson {

  /** JetStream's error code for "stream not found" (deleting a stream that is not there). */
  static final int STREAM_NOT_FOUND = 10059;

  private JetStreamJson() {}

  /** {@code $JS.API.STREAM.CREATE.<name>}'s body: one subject, file or memory storage. */
  static String streamConfig(String name, String subject, String storage) {
    return "{\"name\":\""
        + name
        + "\",\"subjects\":[\""
        + subject
        + "\"],\"storage\":\""
        + storage
        + "\",\"retention\":\"interest\",\"discard\":\"old\",\"num_replicas\":1}";
  }

  /**
   * {@code $JS.API.CONSUMER.DURABLE.CREATE.<stream>.<durable>}'s body: a durable push consumer.
   * {@code maxAckPending} > 0: acks explicit, at most that many unacked (1 = the ACK-mode twin); 0:
   * no acks (the fast-push twin).
   */
  static String pushConsumer(
      String stream, String durable, String deliverSubject, String filter, int maxAckPending) {
    String acks =
        maxAckPending > 0
            ? "\"ack_policy\":\"explicit\",\"max_ack_pending\":"
                + maxAckPending
                + ",\"ack_wait\":30000000000"
            : "\"ack_policy\":\"none\"";
    return "{\"stream_name\":\""
        + stream
        + "\",\"config\":{\"durable_name\":\""
        + durable
        + "\",\"deliver_subject\":\""
        + deliverSubject
        + "\",\"deliver_policy\":\"all\",\"filter_subject\":\""
        + filter
        + "\","
        + acks
        + "}}";
  }

  /**
   * The error an API reply or PubAck carries ({@code {"error":{"code":..,"description":".."}}}):
   * its description (or the whole reply if it has none); null when there is no error.
   */
  static String error(String json) {
    int e = json.indexOf("\"error\"");
    if (e < 0) {
      return null;
    }
    String d = string(json, "description", e);
    return d != null ? d : json;
  }

  /** The {@code err_code} of an error reply, or -1. */
  static long errCode(String json) {
    return number(json, "err_code", 0);
  }

  /**
   * The stream sequence of a PubAck ({@code {"stream":"S","seq":N}}, maybe with {@code
   * "duplicate":true}); -1 when {@code json} is not a successful PubAck.
   */
  static long pubAckSeq(String json) {
    if (json.indexOf("\"error\"") >= 0 || json.indexOf("\"stream\"") < 0) {
      return -1;
    }
    return number(json, "seq", 0);
  }

  /** The string value of {@code "key"} at or after {@code from}, unescaped naively; or null. */
  static String string(String json, String key, int from) {
    int k = json.indexOf("\"" + key + "\"", from);
    if (k < 0) {
      return null;
    }
    int i = skipColon(json, k + key.length() + 2);
    if (i < 0 || i >= json.length() || json.charAt(i) != '"') {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (int j = i + 1; j < json.length(); j++) {
      char c = json.charAt(j);
      if (c == '\\' && j + 1 < json.length()) {
        b.append(json.charAt(++j));
      } else if (c == '"') {
        return b.toString();
      } else {
        b.append(c);
      }
    }
    return null;
  }

  /** The non-negative integer value of {@code "key"} at or after {@code from}, or -1. */
  static long number(String json, String key, int from) {
    int k = json.indexOf("\"" + key + "\"", from);
    if (k < 0) {
      return -1;
    }
    int i = skipColon(json, k + key.length() + 2);
    if (i < 0 || i >= json.length() || !Character.isDigit(json.charAt(i))) {
      return -1;
    }
    long v = 0;
    for (; i < json.length() && Character.isDigit(json.charAt(i)); i++) {
      v = v * 10 + (json.charAt(i) - '0');
    }
    return v;
  }

  private static int skipColon(String json, int i) {
    while (i < json.length() && json.charAt(i) == ' ') {
      i++;
    }
    if (i >= json.length() || json.charAt(i) != ':') {
      return -1;
    }
    i++;
    while (i < json.length() && json.charAt(i) == ' ') {
      i++;
    }
    return i;
  }
}
