package io.qmsgbus.skill;

/**
 * The grammar of a skill name, the one the routing table, the classifier and the permissions all
 * use (docs/PROTOCOL.md, "Skill names").
 *
 * <p>A name is one or more tokens separated by {@code .}; a token is one or more characters, none
 * of them {@code .}, whitespace, a control character, {@code *} or {@code >}. The last two are
 * reserved: as whole tokens they are the wildcards of a {@code SkillPattern}, and nowhere else, so
 * a name never needs escaping and a pattern is never ambiguous. Examples: {@code skill1}, {@code
 * sensors.room1.temp}, {@code de.berlin.tür}.
 */
public final class SkillName {

  private SkillName() {}

  /**
   * Why {@code name} is not a legal skill name of at most {@code maxLength} characters, or null if
   * it is one. Linear in the name's length; stops at the first fault.
   */
  public static String problem(String name, int maxLength) {
    if (name.isEmpty()) {
      return "skill name must not be empty";
    }
    if (name.length() > maxLength) {
      return "skill name longer than " + maxLength + " characters";
    }
    return tokensProblem(name, false);
  }

  /**
   * Why {@code pattern} is not a legal registration (a skill name, or a {@link SkillPattern} with
   * {@code *} and {@code >} as whole tokens) of at most {@code maxLength} characters, or null.
   */
  public static String patternProblem(String pattern, int maxLength) {
    if (pattern.isEmpty()) {
      return "skill name must not be empty";
    }
    if (pattern.length() > maxLength) {
      return "skill name longer than " + maxLength + " characters";
    }
    return tokensProblem(pattern, true);
  }

  /** Whether {@code s} contains a wildcard token (it is a pattern, not a name). */
  public static boolean isPattern(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if ((c == '*' || c == '>')
          && (i == 0 || s.charAt(i - 1) == '.')
          && (i + 1 == n || s.charAt(i + 1) == '.')) {
        return true;
      }
    }
    return false;
  }

  /**
   * The first token of private inbox skills: {@code _inbox.X} is given to one client (who asked
   * with {@code {"inbox":true}}), registered by nobody else, and never matched by a wildcard.
   */
  public static final String INBOX_PREFIX = "_inbox.";

  /** Whether {@code name} is a private inbox skill. */
  public static boolean isInbox(String name) {
    return name.startsWith(INBOX_PREFIX);
  }

  /** Whether {@code name} is a legal skill name (of any length). */
  public static boolean isValid(String name) {
    return !name.isEmpty() && tokensProblem(name, false) == null;
  }

  /**
   * Checks the tokens of a name, or of a pattern when {@code wildcards} allows {@code *} and {@code
   * >} as whole tokens ({@code >} only last).
   */
  static String tokensProblem(String s, boolean wildcards) {
    int n = s.length();
    int tokenStart = 0;
    for (int i = 0; i <= n; i++) {
      char c = i < n ? s.charAt(i) : '.';
      if (c == '.') {
        int len = i - tokenStart;
        if (len == 0) {
          return "skill name has an empty token (a leading, trailing or doubled '.')";
        }
        if (len == 1 && (s.charAt(tokenStart) == '*' || s.charAt(tokenStart) == '>')) {
          if (!wildcards) {
            return "'" + s.charAt(tokenStart) + "' is a wildcard, not allowed in a skill name";
          }
          if (s.charAt(tokenStart) == '>' && i != n) {
            return "'>' may only be the last token of a pattern";
          }
        }
        tokenStart = i + 1;
      } else if (c == '*' || c == '>') {
        if (!(i == tokenStart && (i + 1 == n || s.charAt(i + 1) == '.'))) {
          return "'" + c + "' is reserved: it may only stand alone as a whole token";
        }
      } else if (c <= ' ' || c == 0x7F || Character.isWhitespace(c) || Character.isISOControl(c)) {
        return "skill name must not contain whitespace or control characters";
      }
    }
    return null;
  }
}
