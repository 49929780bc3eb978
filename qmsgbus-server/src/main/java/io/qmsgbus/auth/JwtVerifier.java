package io.qmsgbus.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies signed JWTs (nimbus-jose-jwt): HS256 with a shared secret, RS256 with an RSA public key,
 * ES256 with an EC P-256 public key. Only the algorithms whose key is configured are accepted, each
 * only with its own kind of key, and unsigned ({@code alg: none}) tokens never.
 *
 * <p>Claims: {@code exp} and {@code sub} are required; {@code nbf} is honoured when present (60 s
 * clock skew either way); {@code aud} must contain the configured audience and {@code iss} equal
 * the configured issuer, when those are configured. {@code sub} becomes the identity's name, {@code
 * pub} (a list of skill patterns, or one comma-separated string) what it may publish to, {@code
 * subs} (likewise) what it may register for; a missing claim allows nothing.
 *
 * <p>Thread-safe.
 */
public final class JwtVerifier {

  /** HS256 needs a key of at least 256 bits (RFC 7518 section 3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  static final int MAX_CLOCK_SKEW_SECONDS = 60;

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

  /**
   * @param secret the HS256 shared secret, or null
   * @param publicKey an RSA (RS256) or EC (ES256) public key, or null
   * @param audience required audience, or null/empty for none
   * @param issuer required issuer, or null/empty for none
   * @throws IllegalArgumentException if neither key is given, or the secret is too short
   */
  public JwtVerifier(byte[] secret, PublicKey publicKey, String audience, String issuer) {
    if (secret == null && publicKey == null) {
      throw new IllegalArgumentException("a JWT verifier needs a secret or a public key");
    }
    if (secret != null && secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the JWT secret is "
              + secret.length
              + " bytes; HS256 needs at least "
              + MIN_SECRET_BYTES
              + " (e.g. `openssl rand -base64 48`)");
    }
    if (publicKey != null
        && !(publicKey instanceof RSAPublicKey)
        && !(publicKey instanceof ECPublicKey)) {
      throw new IllegalArgumentException(
          "the JWT public key must be RSA (RS256) or EC (ES256), not " + publicKey.getAlgorithm());
    }
    List<Key> hmac = secret == null ? List.of() : List.of(new SecretKeySpec(secret, "HmacSHA256"));
    List<Key> rsa = publicKey instanceof RSAPublicKey ? List.of(publicKey) : List.of();
    List<Key> ec = publicKey instanceof ECPublicKey ? List.of(publicKey) : List.of();
    JWSKeySelector<SecurityContext> keys =
        (header, context) -> {
          JWSAlgorithm alg = header.getAlgorithm();
          if (JWSAlgorithm.HS256.equals(alg)) {
            return hmac;
          }
          if (JWSAlgorithm.RS256.equals(alg)) {
            return rsa;
          }
          if (JWSAlgorithm.ES256.equals(alg)) {
            return ec;
          }
          return List.of();
        };
    processor.setJWSKeySelector(keys);
    JWTClaimsSet exact =
        issuer == null || issuer.isBlank()
            ? new JWTClaimsSet.Builder().build()
            : new JWTClaimsSet.Builder().issuer(issuer).build();
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            audience == null || audience.isBlank() ? null : Set.of(audience),
            exact,
            Set.of("sub", "exp"),
            null);
    claims.setMaxClockSkew(MAX_CLOCK_SKEW_SECONDS);
    processor.setJWTClaimsSetVerifier(claims);
  }

  /**
   * Checks {@code token}'s signature and claims.
   *
   * @return the identity it grants
   * @throws AuthException with a reason that is safe to log (it never holds the token)
   */
  public Identity verify(String token) throws AuthException {
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw new AuthException("malformed token");
    } catch (BadJOSEException e) {
      throw new AuthException(reason(e.getMessage()));
    } catch (JOSEException e) {
      throw new AuthException("token not verifiable: " + e.getMessage());
    }
    String sub = claims.getSubject();
    if (sub == null || sub.isBlank()) {
      throw new AuthException("token has an empty sub");
    }
    java.util.Date exp = claims.getExpirationTime();
    return new Identity(
        sub,
        "jwt",
        patterns(claims, "pub"),
        patterns(claims, "subs"),
        exp == null ? 0 : Math.max(1, exp.getTime()));
  }

  private static String reason(String nimbus) {
    if (nimbus == null) {
      return "invalid token";
    }
    if (nimbus.contains("Invalid signature")) {
      return "bad signature";
    }
    if (nimbus.contains("Another algorithm expected") || nimbus.contains("no matching key")) {
      return "token signed with an algorithm or key this server does not accept";
    }
    if (nimbus.startsWith("Expired JWT")) {
      return "token expired";
    }
    if (nimbus.startsWith("JWT before use time")) {
      return "token not valid yet (nbf)";
    }
    if (nimbus.startsWith("JWT aud claim rejected")
        || nimbus.startsWith("JWT missing required aud claim")) {
      return "wrong audience";
    }
    if (nimbus.startsWith("JWT iss claim")) {
      return "wrong issuer";
    }
    if (nimbus.startsWith("JWT missing required claims")) {
      return "token lacks a required claim (sub, exp): " + nimbus;
    }
    if (nimbus.contains("plain") || nimbus.contains("Unsecured")) {
      return "unsigned tokens are not accepted";
    }
    return "invalid token: " + nimbus;
  }

  private static SkillPatterns patterns(JWTClaimsSet claims, String name) throws AuthException {
    try {
      return patternsOf(claims, name);
    } catch (IllegalArgumentException notAPattern) {
      throw new AuthException("claim '" + name + "': " + notAPattern.getMessage());
    }
  }

  private static SkillPatterns patternsOf(JWTClaimsSet claims, String name) throws AuthException {
    Object value = claims.getClaim(name);
    if (value == null) {
      return SkillPatterns.NONE;
    }
    if (value instanceof String s) {
      return SkillPatterns.parse(s);
    }
    if (value instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (Object o : list) {
        if (!(o instanceof String s)) {
          throw new AuthException("claim '" + name + "' must be a list of strings");
        }
        out.add(s);
      }
      return SkillPatterns.of(out);
    }
    throw new AuthException("claim '" + name + "' must be a string or a list of strings");
  }
}
