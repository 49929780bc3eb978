package io.qmsgbus.skill;

import java.util.Arrays;

/**
 * A skill pattern: a {@link SkillName} in which whole tokens may be wildcards. {@code *} stands for
 * exactly one token ({@code sensors.*} matches {@code sensors.temp}, not {@code
 * sensors.room1.temp}); {@code >}, only as the last token, for one or more ({@code sensors.>}
 * matches both). A pattern without wildcards is a name and matches only itself. Immutable.
 *
 * <p>Used for permissions today (what an identity may publish to and register for) and for wildcard
 * registrations next; both read it the same way. Matching is linear in the number of tokens.
 */
public final class SkillPattern {

  private static final String ONE = "*";
  private static final String REST = ">";

  /** Matches every skill. */
  public static final SkillPattern ALL = new SkillPattern(">", new String[] {REST});

  private final String text;
  private final String[] tokens;

  private SkillPattern(String text, String[] tokens) {
    this.text = text;
    this.tokens = tokens;
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException saying why it is not a pattern
   */
  public static SkillPattern parse(String text) {
    String t = text.trim();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("a skill pattern must not be empty");
    }
    String problem = SkillName.tokensProblem(t, true);
    if (problem != null) {
      throw new IllegalArgumentException("not a skill pattern: '" + t + "': " + problem);
    }
    return new SkillPattern(t, t.split("\\.", -1));
  }

  /** Whether the pattern has no wildcard (it is a plain name). */
  public boolean isLiteral() {
    for (String tok : tokens) {
      if (tok.equals(ONE) || tok.equals(REST)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code name} (a legal skill name) matches. */
  public boolean matches(String name) {
    int t = 0;
    int start = 0;
    int n = name.length();
    while (start <= n) {
      int dot = name.indexOf('.', start);
      int end = dot < 0 ? n : dot;
      if (t == tokens.length) {
        return false;
      }
      String tok = tokens[t];
      if (tok.equals(REST)) {
        return true;
      }
      if (!tok.equals(ONE)
          && !(end - start == tok.length() && name.regionMatches(start, tok, 0, tok.length()))) {
        return false;
      }
      t++;
      if (dot < 0) {
        break;
      }
      start = dot + 1;
    }
    return t == tokens.length;
  }

  /**
   * Whether every name {@code other} matches is matched by this pattern too: "is that pattern
   * within what this one allows". For a plain name it is the same as {@link #matches}.
   */
  public boolean covers(SkillPattern other) {
    String[] b = other.tokens;
    for (int i = 0; i < tokens.length; i++) {
      String a = tokens[i];
      if (a.equals(REST)) {
        return i < b.length; // '>' needs at least one token, and any token (or '*', '>') is one
      }
      if (i >= b.length || b[i].equals(REST)) {
        return false;
      }
      if (!a.equals(ONE) && !a.equals(b[i])) {
        return false; // a literal covers only itself, not another literal or '*'
      }
    }
    return tokens.length == b.length;
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SkillPattern p && Arrays.equals(tokens, p.tokens);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tokens);
  }
}
