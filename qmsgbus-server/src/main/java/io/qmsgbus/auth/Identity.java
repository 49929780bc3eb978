package io.qmsgbus.auth;

import io.netty.util.AttributeKey;
import java.util.Objects;

/**
 * Who a connection authenticated as, and what it may do: publish to the skills {@code publish}
 * matches, register for the skills {@code register} matches. Set as the channel attribute {@link
 * #ATTRIBUTE} by {@link AuthHandler} before the WebSocket handshake; absent when the server runs
 * without authentication (then everything is allowed).
 *
 * @param name the user name or the token's {@code sub}
 * @param method how it was established: {@code "jwt"} or {@code "basic"}
 * @param expiresAtMillis when the credential expires (a token's {@code exp}), epoch milliseconds; 0
 *     for never. The connection is closed (1008 "token expired") when it passes
 */
public record Identity(
    String name,
    String method,
    SkillPatterns publish,
    SkillPatterns register,
    long expiresAtMillis) {

  /** The channel attribute holding a connection's identity. */
  public static final AttributeKey<Identity> ATTRIBUTE = AttributeKey.valueOf("qmsgbus.identity");

  public Identity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(publish, "publish");
    Objects.requireNonNull(register, "register");
  }

  /** An identity that does not expire. */
  public Identity(String name, String method, SkillPatterns publish, SkillPatterns register) {
    this(name, method, publish, register, 0);
  }
}
