package io.qmsgbus.auth;

import io.qmsgbus.skill.SkillPattern;
import java.util.ArrayList;
import java.util.List;

/**
 * What an identity may publish to or register for: a list of {@link SkillPattern}s, in the same
 * grammar as skill names and registrations ({@code sensors.*}: one token; {@code sensors.>}: one or
 * more; {@code >}: everything). A skill is allowed when some pattern covers it. Immutable and
 * thread-safe.
 */
public final class SkillPatterns {

  /** Matches nothing. */
  public static final SkillPatterns NONE = new SkillPatterns(List.of());

  /** Matches every skill. */
  public static final SkillPatterns ALL = new SkillPatterns(List.of(SkillPattern.ALL));

  private final List<SkillPattern> patterns;

  private SkillPatterns(List<SkillPattern> patterns) {
    this.patterns = List.copyOf(patterns);
  }

  /**
   * The given patterns; blank entries are ignored, surrounding spaces trimmed, repeats dropped.
   *
   * @throws IllegalArgumentException if an entry is not a skill pattern (saying which and why)
   */
  public static SkillPatterns of(List<String> patterns) {
    List<SkillPattern> clean = new ArrayList<>();
    for (String p : patterns) {
      if (p == null || p.isBlank()) {
        continue;
      }
      SkillPattern sp = SkillPattern.parse(p);
      if (!clean.contains(sp)) {
        clean.add(sp);
      }
    }
    return clean.isEmpty() ? NONE : new SkillPatterns(clean);
  }

  /**
   * Parses a comma-separated list ({@code "sensors.*, alerts"}); empty or null is {@link #NONE}.
   *
   * @throws IllegalArgumentException if an entry is not a skill pattern
   */
  public static SkillPatterns parse(String commaList) {
    if (commaList == null || commaList.isBlank()) {
      return NONE;
    }
    return of(List.of(commaList.split(",")));
  }

  /** Whether the skill name {@code skill} is allowed. */
  public boolean matches(String skill) {
    for (SkillPattern p : patterns) {
      if (p.matches(skill)) {
        return true;
      }
    }
    return false;
  }

  /** Whether everything {@code wanted} matches is allowed ("is it within what is allowed"). */
  public boolean covers(SkillPattern wanted) {
    for (SkillPattern p : patterns) {
      if (p.covers(wanted)) {
        return true;
      }
    }
    return false;
  }

  /** The patterns as written. */
  public List<String> patterns() {
    return patterns.stream().map(SkillPattern::toString).toList();
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** The comma-separated form that {@link #parse} reads back. */
  @Override
  public String toString() {
    return String.join(",", patterns());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SkillPatterns other && patterns.equals(other.patterns);
  }

  @Override
  public int hashCode() {
    return patterns.hashCode();
  }
}
