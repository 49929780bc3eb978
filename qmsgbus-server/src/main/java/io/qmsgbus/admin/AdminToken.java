package io.qmsgbus.admin;

import io.qmsgbus.auth.HostPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The admin listener's login: one bearer token read from {@code adminTokenFile}. Requests present
 * it as {@code Authorization: Bearer TOKEN}, or (the console in a browser) as the {@link #COOKIE}
 * cookie, which {@code GET /?token=TOKEN} sets once (HttpOnly, SameSite=Strict). Compared in
 * constant time (SHA-256 of both sides, then {@link MessageDigest#isEqual}), so neither the token
 * nor its length leaks through timing.
 */
final class AdminToken {

  /** The console's session cookie: the token itself, HttpOnly and SameSite=Strict. */
  static final String COOKIE = "qmsgbus_admin";

  /** Shortest token accepted, so a guessable one is caught at startup. */
  static final int MIN_LENGTH = 16;

  private final byte[] digest;

  private AdminToken(String token) {
    this.digest = sha256(token);
  }

  /**
   * The token {@code file} holds (surrounding whitespace ignored), or null for an empty setting.
   *
   * @throws IllegalStateException when the file cannot be read or is too short, or when there is no
   *     file and {@code adminHost} is not a loopback address
   */
  static AdminToken fromConfig(String file, String adminHost) {
    if (file.isEmpty()) {
      if (!HostPolicy.isLoopbackBind(adminHost)) {
        throw new IllegalStateException(
            "refusing to serve the admin listener on "
                + adminHost
                + " without a login: set adminTokenFile (--admin-token-file FILE) or bind"
                + " adminHost to 127.0.0.1");
      }
      return null;
    }
    String token;
    try {
      token = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalStateException("adminTokenFile: cannot read " + file + ": " + e, e);
    }
    if (token.length() < MIN_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalStateException(
          "adminTokenFile "
              + file
              + ": the token must be at least "
              + MIN_LENGTH
              + " printable ASCII characters without spaces");
    }
    return new AdminToken(token);
  }

  /** Whether {@code candidate} (null: none given) is the token, in constant time. */
  boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(candidate));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
