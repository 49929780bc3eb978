package io.qmsgbus.auth;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.metrics.BusMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's security settings made live: the JWT verifier, the users file, the origin policy,
 * the failed-login log, and the small pool that runs bcrypt checks off the event loops. One per
 * server; thread-safe.
 */
public final class Authenticator implements AutoCloseable {

  /** bcrypt checks waiting beyond this many are answered 503 at once instead of queueing. */
  static final int MAX_PENDING_PASSWORD_CHECKS = 64;

  /**
   * Of those, addresses with recent failures may fill only this many; the rest of the queue is kept
   * for addresses without.
   */
  static final int MAX_PENDING_SUSPECT_CHECKS = MAX_PENDING_PASSWORD_CHECKS / 2;

  private final JwtVerifier jwt;
  private final UsersFile users;
  private final OriginPolicy origins;
  private final FailedLogins failedLogins;
  private final ThreadPoolExecutor passwordChecks;
  private final LoginThrottle throttle;
  private final List<String> challenges;

  private Authenticator(
      JwtVerifier jwt,
      UsersFile users,
      OriginPolicy origins,
      FailedLogins failedLogins,
      LoginThrottle throttle) {
    this.throttle = throttle;
    this.jwt = jwt;
    this.users = users;
    this.origins = origins;
    this.failedLogins = failedLogins;
    this.passwordChecks = users == null ? null : newPool();
    List<String> c = new ArrayList<>();
    if (jwt != null) {
      c.add("Bearer realm=\"qmsgbus\"");
    }
    if (users != null) {
      c.add("Basic realm=\"qmsgbus\", charset=\"UTF-8\"");
    }
    this.challenges = List.copyOf(c);
  }

  /**
   * Reads the key, secret and users files the config names.
   *
   * @throws IllegalStateException with a message naming the setting and file, if one cannot be read
   *     or used
   */
  public static Authenticator fromConfig(ServerConfig config, BusMetrics metrics) {
    JwtVerifier jwt = null;
    if (!config.authJwtSecretFile().isEmpty() || !config.authJwtPublicKey().isEmpty()) {
      byte[] secret = null;
      PublicKey key = null;
      if (!config.authJwtSecretFile().isEmpty()) {
        try {
          secret = Tokens.readSecret(Path.of(config.authJwtSecretFile()));
        } catch (IOException e) {
          throw new IllegalStateException(
              "authJwtSecretFile: cannot read " + config.authJwtSecretFile() + ": " + e, e);
        }
      }
      if (!config.authJwtPublicKey().isEmpty()) {
        try {
          key = PemKeys.readPublicKey(Path.of(config.authJwtPublicKey()));
        } catch (IOException e) {
          throw new IllegalStateException("authJwtPublicKey: " + e.getMessage(), e);
        }
      }
      try {
        jwt = new JwtVerifier(secret, key, config.authJwtAudience(), config.authJwtIssuer());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            (secret != null
                    ? "authJwtSecretFile " + config.authJwtSecretFile()
                    : "authJwtPublicKey")
                + ": "
                + e.getMessage(),
            e);
      }
    }
    UsersFile users = null;
    if (!config.authUsersFile().isEmpty()) {
      try {
        users = UsersFile.load(Path.of(config.authUsersFile()));
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalStateException(
            "authUsersFile: cannot read " + config.authUsersFile() + ": " + e.getMessage(), e);
      }
    }
    OriginPolicy origins =
        OriginPolicy.of(
            config.allowedOrigins(),
            jwt != null || users != null,
            HostPolicy.of(config.allowedHosts(), config.host()));
    return new Authenticator(
        jwt,
        users,
        origins,
        new FailedLogins(metrics.authFailures, metrics.authFailuresNotLogged),
        new LoginThrottle(config.authMaxFailuresPerAddress(), config.authMaxFailuresPerUser()));
  }

  /** Whether clients must authenticate. */
  public boolean authRequired() {
    return jwt != null || users != null;
  }

  /** Whether the upgrade needs checking at all (if not, no handler goes in the pipeline). */
  public boolean active() {
    return authRequired() || origins.restricts();
  }

  JwtVerifier jwt() {
    return jwt;
  }

  UsersFile users() {
    return users;
  }

  OriginPolicy origins() {
    return origins;
  }

  FailedLogins failedLogins() {
    return failedLogins;
  }

  ThreadPoolExecutor passwordChecks() {
    return passwordChecks;
  }

  LoginThrottle throttle() {
    return throttle;
  }

  /** The {@code WWW-Authenticate} challenges of a 401: one per accepted method. */
  List<String> challenges() {
    return challenges;
  }

  /** What is on, for the startup log line: e.g. {@code jwt(HS256)+basic(3 users)}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (jwt != null) {
      parts.add("jwt");
    }
    if (users != null) {
      parts.add("basic(" + users.size() + " user(s))");
    }
    return parts.isEmpty() ? "off" : String.join("+", parts);
  }

  @Override
  public void close() {
    if (passwordChecks != null) {
      passwordChecks.shutdownNow();
    }
  }

  private static ThreadPoolExecutor newPool() {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            2,
            2,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(MAX_PENDING_PASSWORD_CHECKS),
            task -> {
              Thread t = new Thread(task, "qmsgbus-auth-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
