package io.qmsgbus.auth;

import io.qmsgbus.skill.SkillPattern;
import java.util.HashMap;

/**
 * One connection's permission decisions, cached per skill so the per-packet cost after the first
 * packet of a skill is one hash lookup. Confined to the connection's event loop: not thread-safe.
 * Each cache holds at most {@link #MAX_CACHED} skills and is cleared when full, so a client
 * inventing skill names cannot grow it without bound.
 */
public final class SkillAccess implements Permissions {

  static final int MAX_CACHED = 1024;

  private final Identity identity;
  private final HashMap<String, Boolean> publish = new HashMap<>();
  private final HashMap<String, Boolean> register = new HashMap<>();

  public SkillAccess(Identity identity) {
    this.identity = identity;
  }

  public Identity identity() {
    return identity;
  }

  @Override
  public String who() {
    return identity.name();
  }

  /** Whether this connection may publish to {@code skill}. */
  @Override
  public boolean mayPublish(String skill) {
    return decide(publish, skill, identity.publish()::matches);
  }

  /** Whether this connection may register for {@code skill}. */
  @Override
  public boolean mayRegister(String skill) {
    return decide(register, skill, SkillAccess::within, identity.register());
  }

  /** A registration (a name, later a pattern) is allowed if it lies within an allowed pattern. */
  private static boolean within(SkillPatterns allowed, String registration) {
    try {
      return allowed.covers(SkillPattern.parse(registration));
    } catch (IllegalArgumentException notAPattern) {
      return false;
    }
  }

  private static boolean decide(
      HashMap<String, Boolean> cache,
      String skill,
      java.util.function.BiPredicate<SkillPatterns, String> rule,
      SkillPatterns p) {
    return decide(cache, skill, s -> rule.test(p, s));
  }

  private static boolean decide(
      HashMap<String, Boolean> cache, String skill, java.util.function.Predicate<String> rule) {
    Boolean known = cache.get(skill);
    if (known != null) {
      return known;
    }
    boolean ok = rule.test(skill);
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    cache.put(skill, ok);
    return ok;
  }
}
