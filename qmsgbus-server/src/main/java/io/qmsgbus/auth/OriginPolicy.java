package io.qmsgbus.auth;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may open a WebSocket (against cross-site WebSocket hijacking: a page on
 * another site using the visitor's browser, and whatever credentials it holds, to reach the bus).
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>No {@code Origin} header: allowed. Only browsers must send it; other clients are judged by
 *       their credentials alone.
 *   <li>The list holds {@code *}: any origin is allowed.
 *   <li>The origin is on the list ({@code scheme://host[:port]}, compared case-insensitively, a
 *       default port may be left out): allowed.
 *   <li>The origin is the server's own address, the request's {@code Host} (a page served from the
 *       bus's own host and port, and clients such as Python's websocket-client that send that
 *       origin): allowed, but only when that {@code Host} is {@link HostPolicy#trusted trusted} (a
 *       loopback name on a loopback listener, or a name in {@code allowedHosts}): a {@code Host}
 *       alone proves nothing, since DNS rebinding lets any page send its own name.
 *   <li>Otherwise: allowed only when the list is empty and authentication is off (the behaviour of
 *       a server with no security configured, bound to loopback by default); refused with 403 when
 *       the list is non-empty or authentication is on.
 * </ol>
 *
 * So with authentication on, a browser page from another origin (including the admin console on the
 * admin port) must be listed in {@code allowedOrigins} explicitly.
 */
public final class OriginPolicy {

  private final Set<String> allowed;
  private final boolean any;
  private final boolean openWhenUnlisted;
  private final HostPolicy hosts;

  private OriginPolicy(Set<String> allowed, boolean openWhenUnlisted, HostPolicy hosts) {
    this.allowed = Set.copyOf(allowed);
    this.any = allowed.contains("*");
    this.openWhenUnlisted = openWhenUnlisted;
    this.hosts = hosts;
  }

  /**
   * @param commaList the {@code allowedOrigins} setting
   * @param authEnabled whether the server requires authentication
   * @param hosts which {@code Host} headers may vouch for a same-host origin
   */
  public static OriginPolicy of(String commaList, boolean authEnabled, HostPolicy hosts) {
    Set<String> set = new LinkedHashSet<>();
    for (String s : parseList(commaList)) {
      set.add(s.equals("*") ? s : normalize(s));
    }
    return new OriginPolicy(set, set.isEmpty() && !authEnabled, hosts);
  }

  /** Whether this policy can refuse anything at all (if not, no check is needed). */
  public boolean restricts() {
    return !any && !openWhenUnlisted;
  }

  /**
   * Whether a request with this {@code Origin} (null if absent) and {@code Host} header may
   * upgrade.
   */
  public boolean allows(String origin, String host) {
    if (origin == null || any || openWhenUnlisted) {
      return true;
    }
    String o;
    try {
      o = normalize(origin);
    } catch (IllegalArgumentException e) {
      return false; // "null" (sandboxed frames, file: pages) and garbage
    }
    if (allowed.contains(o)) {
      return true;
    }
    return host != null && hosts.trusted(host) && sameHost(o, host);
  }

  private static boolean sameHost(String normalizedOrigin, String hostHeader) {
    URI u = URI.create(normalizedOrigin);
    int port = u.getPort() >= 0 ? u.getPort() : defaultPort(u.getScheme());
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    String hostOnly;
    int hostPort;
    int colon = h.lastIndexOf(':');
    if (colon > h.lastIndexOf(']') && colon >= 0) {
      hostOnly = h.substring(0, colon);
      try {
        hostPort = Integer.parseInt(h.substring(colon + 1));
      } catch (NumberFormatException e) {
        return false;
      }
    } else {
      hostOnly = h;
      hostPort = port; // no port in Host: the scheme's default, as the origin's
    }
    String originHost = u.getHost();
    if (originHost.startsWith("[") && !hostOnly.startsWith("[")) {
      hostOnly = "[" + hostOnly + "]";
    }
    return originHost.equals(hostOnly) && port == hostPort;
  }

  /** {@code scheme://host[:port]} lower-cased, default port dropped; throws if not an origin. */
  static String normalize(String origin) {
    URI u;
    try {
      u = new URI(origin.trim());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not an origin: '" + origin + "'", e);
    }
    String scheme = u.getScheme();
    if (scheme == null
        || u.getHost() == null
        || u.getRawUserInfo() != null
        || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
        || u.getRawQuery() != null
        || u.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "not an origin: '"
              + origin
              + "' (expected scheme://host[:port], e.g. https://app.example.com)");
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    String host = u.getHost().toLowerCase(Locale.ROOT);
    int port = u.getPort();
    return port < 0 || port == defaultPort(scheme)
        ? scheme + "://" + host
        : scheme + "://" + host + ":" + port;
  }

  private static int defaultPort(String scheme) {
    return switch (scheme) {
      case "http", "ws" -> 80;
      case "https", "wss" -> 443;
      default -> -1;
    };
  }

  /** The entries of a comma-separated list, trimmed, blanks dropped. */
  public static java.util.List<String> parseList(String commaList) {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (commaList == null) {
      return out;
    }
    for (String s : commaList.split(",")) {
      String t = s.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  /** Throws {@link IllegalArgumentException} naming the first entry that is not an origin. */
  public static void validate(String commaList) {
    for (String s : parseList(commaList)) {
      if (!s.equals("*")) {
        normalize(s);
      }
    }
  }
}
