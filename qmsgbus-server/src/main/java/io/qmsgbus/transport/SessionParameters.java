package io.qmsgbus.transport;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.qmsgbus.protocol.Packet.SessionRequest;
import io.qmsgbus.protocol.SessionName;
import java.util.List;
import java.util.Map;

/**
 * Reads a durable session's name and options from the upgrade URL, {@code
 * /?session=NAME&expiry=SECONDS&clean=true}: the form the seed's Python client can send without a
 * changed line, since it passes the path through.
 */
final class SessionParameters {

  private SessionParameters() {}

  /**
   * @return the request, or null when the URL names no session
   * @throws IllegalArgumentException with the reason a client is told, for a malformed request
   */
  static SessionRequest fromUri(String uri) {
    Map<String, List<String>> q = new QueryStringDecoder(uri == null ? "/" : uri).parameters();
    String name = single(q, "session");
    String expiry = single(q, "expiry");
    String clean = single(q, "clean");
    if (name == null) {
      if (expiry != null || clean != null) {
        throw new IllegalArgumentException("expiry and clean go with session");
      }
      return null;
    }
    String problem = SessionName.problem(name);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    Long seconds = null;
    if (expiry != null) {
      try {
        seconds = Long.parseLong(expiry);
      } catch (NumberFormatException e) {
        seconds = -1L;
      }
      if (seconds < 0) {
        throw new IllegalArgumentException("expiry must be a whole number of seconds, 0 or more");
      }
    }
    boolean startClean = false;
    if (clean != null) {
      if (!clean.equals("true") && !clean.equals("false")) {
        throw new IllegalArgumentException("clean must be true or false");
      }
      startClean = clean.equals("true");
    }
    return new SessionRequest(name, seconds, startClean);
  }

  private static String single(Map<String, List<String>> q, String key) {
    List<String> values = q.get(key);
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw new IllegalArgumentException(key + " given more than once");
    }
    return values.get(0);
  }
}
