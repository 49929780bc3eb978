package io.qmsgbus.auth;

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
    return decide(publish, identity.publish(), skill);
  }

  /** Whether this connection may register for {@code skill}. */
  @Override
  public boolean mayRegister(String skill) {
    return decide(register, identity.register(), skill);
  }

  private static boolean decide(HashMap<String, Boolean> cache, SkillPatterns p, String skill) {
    Boolean known = cache.get(skill);
    if (known != null) {
      return known;
    }
    boolean ok = p.matches(skill);
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    cache.put(skill, ok);
    return ok;
  }
}
