package io.qmsgbus.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * The static users file for HTTP Basic: one user per line,
 *
 * <pre>
 * # name:bcrypt-hash:publish-patterns:register-patterns
 * alice:$2a$12$...:sensors.*,alerts:sensors.*
 * </pre>
 *
 * <p>Patterns are comma-separated {@link SkillPatterns} (empty: nothing allowed; {@code *}: every
 * skill), so a pattern cannot contain {@code ,} or {@code :}. Names may not contain {@code :} or
 * whitespace. {@code #} starts a comment line. Passwords are stored as bcrypt hashes (Spring
 * Security's {@link BCryptPasswordEncoder}, cost {@value #COST}); {@code qmsgbus passwd} writes
 * them.
 *
 * <p>The server re-reads the file when its modification time or size changes (checked at most once
 * a second, at a login), so added users and changed passwords take effect without a restart; a file
 * that no longer parses is reported and the last good version kept.
 *
 * <p>Thread-safe. {@link #authenticate} is slow on purpose (bcrypt): never call it on an event
 * loop.
 */
public final class UsersFile {

  private static final Logger log = LoggerFactory.getLogger(UsersFile.class);

  /** bcrypt cost for new hashes: 2^12 rounds, about a quarter of a second per check. */
  public static final int COST = 12;

  /** bcrypt reads at most 72 bytes of a password; longer ones are refused rather than cut. */
  public static final int MAX_PASSWORD_BYTES = 72;

  private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(COST);

  /** One user's line. */
  public record User(String name, String hash, SkillPatterns publish, SkillPatterns register) {}

  private final Path file;
  private volatile Map<String, User> users;
  private volatile FileTime loadedTime;
  private volatile long loadedSize;
  private volatile long lastCheckNanos;

  /** A hash of a random password, compared against for unknown users so timing tells nothing. */
  private final String decoy;

  private UsersFile(Path file, Map<String, User> users, FileTime time, long size) {
    this.file = file;
    this.users = users;
    this.loadedTime = time;
    this.loadedSize = size;
    this.lastCheckNanos = System.nanoTime();
    this.decoy = BCRYPT.encode(java.util.UUID.randomUUID().toString());
  }

  /** Reads {@code file}; throws with the file and line number if it does not parse. */
  public static UsersFile load(Path file) throws IOException {
    FileTime time = Files.getLastModifiedTime(file);
    long size = Files.size(file);
    return new UsersFile(
        file, parse(file, Files.readAllLines(file, StandardCharsets.UTF_8)), time, size);
  }

  /** How many users the file holds now. */
  public int size() {
    return users.size();
  }

  /**
   * Checks a name and password.
   *
   * @return the user's identity
   * @throws AuthException if the name is unknown or the password wrong (the same message for both,
   *     and about the same time)
   */
  public Identity authenticate(String name, String password) throws AuthException {
    reloadIfChanged();
    User u = users.get(name);
    boolean ok;
    if (u == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      matches(password, decoy);
      ok = false;
    } else {
      ok = matches(password, u.hash());
    }
    if (!ok) {
      throw new AuthException(
          u == null
              ? "unknown user or wrong password"
              : "wrong password for user '" + u.name() + "'");
    }
    return new Identity(u.name(), "basic", u.publish(), u.register());
  }

  private static boolean matches(String password, String hash) {
    try {
      return BCRYPT.matches(password, hash);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void reloadIfChanged() {
    long now = System.nanoTime();
    if (now - lastCheckNanos < 1_000_000_000L) {
      return;
    }
    lastCheckNanos = now;
    try {
      FileTime time = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (time.equals(loadedTime) && size == loadedSize) {
        return;
      }
      Map<String, User> fresh = parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
      synchronized (this) {
        users = fresh;
        loadedTime = time;
        loadedSize = size;
      }
      log.info("users file {} reloaded: {} user(s)", file, fresh.size());
    } catch (IOException | IllegalArgumentException e) {
      log.warn(
          "users file {} not reloaded, keeping the last good version: {}", file, e.getMessage());
    }
  }

  static Map<String, User> parse(Path file, List<String> lines) {
    Map<String, User> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(":", -1);
      String where = file + " line " + (i + 1) + ": ";
      if (f.length != 4) {
        throw new IllegalArgumentException(
            where + "expected name:bcrypt-hash:publish-patterns:register-patterns");
      }
      checkName(f[0], where);
      if (!f[1].matches("\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
        throw new IllegalArgumentException(where + "the password field is not a bcrypt hash");
      }
      if (users.containsKey(f[0])) {
        throw new IllegalArgumentException(where + "user '" + f[0] + "' appears twice");
      }
      users.put(f[0], new User(f[0], f[1], SkillPatterns.parse(f[2]), SkillPatterns.parse(f[3])));
    }
    return Map.copyOf(users);
  }

  private static void checkName(String name, String where) {
    if (name.isEmpty() || !name.chars().allMatch(c -> c > ' ' && c != ':' && c != 0x7f)) {
      throw new IllegalArgumentException(
          where + "a user name must be non-empty, without ':', spaces or control characters");
    }
  }

  /**
   * Adds or updates one user in {@code file} (created, owner-only, if missing), replacing the file
   * atomically. A null pattern list keeps the user's current one (nothing, for a new user).
   *
   * @return true if the user was new
   */
  public static boolean upsert(
      Path file, String name, String password, SkillPatterns publish, SkillPatterns register)
      throws IOException {
    checkName(name, "");
    if (password.isEmpty()) {
      throw new IllegalArgumentException("the password must not be empty");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      throw new IllegalArgumentException(
          "the password is longer than bcrypt's " + MAX_PASSWORD_BYTES + " bytes");
    }
    for (SkillPatterns p : new SkillPatterns[] {publish, register}) {
      if (p != null && p.patterns().stream().anyMatch(s -> s.contains(":"))) {
        throw new IllegalArgumentException("a pattern in the users file cannot contain ':'");
      }
    }
    List<String> lines = new ArrayList<>();
    try {
      lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      lines.add("# QMsgBus users: name:bcrypt-hash:publish-patterns:register-patterns");
    }
    Map<String, User> existing = parse(file, lines);
    User old = existing.get(name);
    String entry =
        name
            + ":"
            + BCRYPT.encode(password)
            + ":"
            + (publish != null ? publish : old != null ? old.publish() : SkillPatterns.NONE)
            + ":"
            + (register != null ? register : old != null ? old.register() : SkillPatterns.NONE);
    boolean replaced = false;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (!l.startsWith("#") && l.startsWith(name + ":")) {
        lines.set(i, entry);
        replaced = true;
      }
    }
    if (!replaced) {
      lines.add(entry);
    }
    writeAtomically(file, String.join("\n", lines) + "\n");
    return old == null;
  }

  private static void writeAtomically(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createFile(tmp);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("another qmsgbus passwd is writing " + file, e);
    }
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
