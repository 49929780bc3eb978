package io.qmsgbus.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of skill-name patterns: exact names, or names with {@code *} wildcards, where {@code *}
 * matches any run of characters, dots included ({@code sensors.*} matches {@code sensors.t1} and
 * {@code sensors.room1.t1}; {@code *} matches every skill; {@code *.alarm} matches {@code
 * boiler.alarm}). There is no other special character and no escaping, so a skill name that itself
 * contains {@code *} can only be matched by a wildcard.
 *
 * <p>Matching is linear in the name's length times the number of wildcards (no regular expressions,
 * so no pathological inputs). Immutable and thread-safe.
 */
public final class SkillPatterns {

  /** Matches nothing. */
  public static final SkillPatterns NONE = new SkillPatterns(List.of());

  /** Matches every skill. */
  public static final SkillPatterns ALL = new SkillPatterns(List.of("*"));

  private final List<String> patterns;
  private final boolean all;

  private SkillPatterns(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    this.all = this.patterns.contains("*");
  }

  /** The given patterns; blank entries are ignored, surrounding spaces trimmed. */
  public static SkillPatterns of(List<String> patterns) {
    List<String> clean = new ArrayList<>();
    for (String p : patterns) {
      if (p == null) {
        continue;
      }
      String t = p.trim();
      if (!t.isEmpty() && !clean.contains(t)) {
        clean.add(t);
      }
    }
    return clean.isEmpty() ? NONE : new SkillPatterns(clean);
  }

  /**
   * Parses a comma-separated list ({@code "sensors.*, alerts"}); empty or null is {@link #NONE}.
   */
  public static SkillPatterns parse(String commaList) {
    if (commaList == null || commaList.isBlank()) {
      return NONE;
    }
    return of(List.of(commaList.split(",")));
  }

  /** Whether {@code skill} matches at least one pattern. */
  public boolean matches(String skill) {
    if (all) {
      return true;
    }
    for (String p : patterns) {
      if (glob(p, skill)) {
        return true;
      }
    }
    return false;
  }

  public List<String> patterns() {
    return patterns;
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** The comma-separated form that {@link #parse} reads back. */
  @Override
  public String toString() {
    return String.join(",", patterns);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SkillPatterns other && patterns.equals(other.patterns);
  }

  @Override
  public int hashCode() {
    return patterns.hashCode();
  }

  /**
   * {@code *} matches any run of characters; the classic greedy matcher with one backtrack point.
   */
  static boolean glob(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    int pn = pattern.length();
    int tn = text.length();
    while (t < tn) {
      if (p < pn && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (p < pn && pattern.charAt(p) == text.charAt(t)) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pn && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pn;
  }
}
