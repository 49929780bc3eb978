package io.qmsgbus.protocol;

/**
 * What a durable session may be called: 1 to {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9
 * _ - . :}. Narrow on purpose: a name travels in URLs, logs, file records and admin pages, and none
 * of them should need escaping.
 */
public final class SessionName {

  public static final int MAX_LENGTH = 128;

  private SessionName() {}

  /** Why {@code name} is not a session name, or null if it is one. */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "session name must not be empty";
    }
    if (name.length() > MAX_LENGTH) {
      return "session name too long: at most " + MAX_LENGTH + " characters";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '.'
              || c == ':';
      if (!ok) {
        return "session name may hold only A-Z a-z 0-9 _ - . : (got "
            + Replies.jsonString(name.length() > 40 ? name.substring(0, 40) + "..." : name)
            + ")";
      }
    }
    return null;
  }
}
