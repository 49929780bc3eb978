package io.qmsgbus.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} headers a listener answers (against DNS rebinding: a page on {@code
 * evil.example} whose name is made to resolve to the bus's address, so the browser treats the bus
 * as same-origin with the attacker's page).
 *
 * <ul>
 *   <li>A listener bound to loopback answers only a loopback name ({@code localhost}, {@code
 *       127.x.x.x}, {@code [::1]}, any port) or a name listed in {@code allowedHosts}.
 *   <li>A listener bound elsewhere answers any {@code Host} while {@code allowedHosts} is empty,
 *       and only the listed names otherwise.
 * </ul>
 *
 * Entries are host names or addresses without a port, compared case-insensitively. {@link #trusted}
 * says whether a {@code Host} may also vouch for the page's origin (the origin policy's same-host
 * rule): only a loopback name on a loopback listener, or a listed name.
 */
public final class HostPolicy {

  private final Set<String> listed;
  private final boolean loopbackBind;

  private HostPolicy(Set<String> listed, boolean loopbackBind) {
    this.listed = Set.copyOf(listed);
    this.loopbackBind = loopbackBind;
  }

  /**
   * @param commaList the {@code allowedHosts} setting
   * @param bindHost the address the listener binds
   */
  public static HostPolicy of(String commaList, String bindHost) {
    return of(commaList, isLoopbackBind(bindHost));
  }

  static HostPolicy of(String commaList, boolean loopbackBind) {
    Set<String> set = new LinkedHashSet<>();
    for (String s : OriginPolicy.parseList(commaList)) {
      set.add(normalizeEntry(s));
    }
    return new HostPolicy(set, loopbackBind);
  }

  /** Whether a request with this {@code Host} header (null if absent) is answered. */
  public boolean allows(String hostHeader) {
    if (!loopbackBind && listed.isEmpty()) {
      return true;
    }
    return trusted(hostHeader);
  }

  /** Whether this {@code Host} names the server for sure (so its origin may be trusted). */
  public boolean trusted(String hostHeader) {
    String name = hostName(hostHeader);
    if (name == null) {
      return false;
    }
    return listed.contains(name) || (loopbackBind && isLoopbackName(name));
  }

  /** Why a {@code Host} is refused, for the one-line 403 body. */
  public String refusal(String hostHeader) {
    return "QMsgBus: Host not allowed: "
        + AuthHandler.printable(hostHeader)
        + " (add it to allowedHosts)\n";
  }

  /** The host part of a {@code Host} header, lower-cased, port dropped; null if malformed. */
  static String hostName(String hostHeader) {
    if (hostHeader == null) {
      return null;
    }
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (h.isEmpty()) {
      return null;
    }
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      if (end < 0 || (end + 1 < h.length() && h.charAt(end + 1) != ':')) {
        return null;
      }
      return h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    if (colon >= 0 && h.indexOf(':', colon + 1) >= 0) {
      return null;
    }
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    return name.isEmpty() ? null : name;
  }

  static boolean isLoopbackName(String name) {
    if (name.equals("localhost") || name.equals("[::1]")) {
      return true;
    }
    String[] parts = name.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static String normalizeEntry(String entry) {
    String e = entry.trim().toLowerCase(Locale.ROOT);
    if (e.contains("/") || e.contains("@") || e.contains(" ")) {
      throw new IllegalArgumentException(
          "not a host name: '" + entry + "' (expected a name or address, e.g. bus.example.com)");
    }
    if (e.contains(":") && !e.startsWith("[")) {
      e = e.indexOf(':') == e.lastIndexOf(':') ? e : "[" + e + "]"; // bare IPv6
    }
    String name = hostName(e);
    if (name == null) {
      throw new IllegalArgumentException("not a host name: '" + entry + "'");
    }
    return name;
  }

  /** Throws {@link IllegalArgumentException} naming the first entry that is not a host name. */
  public static void validate(String commaList) {
    for (String s : OriginPolicy.parseList(commaList)) {
      normalizeEntry(s);
    }
  }

  /** Whether every address {@code host} resolves to is a loopback address. */
  public static boolean isLoopbackBind(String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
