package io.qmsgbus.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/** Makes HS256 tokens (what {@code qmsgbus token} prints) and reads secret files. */
public final class Tokens {

  private Tokens() {}

  /**
   * An HS256-signed JWT.
   *
   * @param secret the shared secret, at least {@link JwtVerifier#MIN_SECRET_BYTES} bytes
   * @param subject {@code sub}: the identity's name
   * @param publish {@code pub}: skill patterns it may publish to
   * @param register {@code subs}: skill patterns it may register for
   * @param ttl how long it is valid from now ({@code exp})
   * @param audience {@code aud}, or null
   * @param issuer {@code iss}, or null
   */
  public static String hs256(
      byte[] secret,
      String subject,
      List<String> publish,
      List<String> register,
      Duration ttl,
      String audience,
      String issuer) {
    if (secret.length < JwtVerifier.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the secret is "
              + secret.length
              + " bytes; HS256 needs at least "
              + JwtVerifier.MIN_SECRET_BYTES);
    }
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("the subject (sub) must not be empty");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("the lifetime must be positive");
    }
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(UUID.randomUUID().toString())
            .claim("pub", List.copyOf(publish))
            .claim("subs", List.copyOf(register));
    if (audience != null && !audience.isBlank()) {
      claims.audience(audience);
    }
    if (issuer != null && !issuer.isBlank()) {
      claims.issuer(issuer);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
            claims.build());
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /**
   * The secret in {@code file}: its text with surrounding whitespace (a trailing newline) removed,
   * as UTF-8 bytes. The same rule for the server and {@code qmsgbus token --secret-file}.
   */
  public static byte[] readSecret(Path file) throws IOException {
    return secretBytes(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** A secret given as text, by the same rule as {@link #readSecret}. */
  public static byte[] secretBytes(String text) {
    return text.strip().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses a lifetime: {@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}, or ISO-8601 {@code PT1H}.
   */
  public static Duration parseTtl(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.startsWith("p")) {
        return Duration.parse(text.trim().toUpperCase(java.util.Locale.ROOT));
      }
      char unit = t.charAt(t.length() - 1);
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (unit) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "not a lifetime: '" + text + "' (use e.g. 90s, 15m, 1h, 7d)", e);
    }
  }
}
