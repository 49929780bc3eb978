package io.qmsgbus.auth;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Limits password attempts before bcrypt runs, so wrong passwords cannot fill the bcrypt pool and
 * lock everyone out. Per remote address and per user name, attempts that failed in the current
 * one-minute window plus attempts still being checked may not exceed {@code authMaxFailuresPer*};
 * past that the attempt is answered 429 with {@code Retry-After} and no password check.
 *
 * <p>A user's limit is not applied to an address without recent failures (so a flood against {@code
 * alice} from one place does not lock {@code alice} out everywhere); and {@link #suspect} tells the
 * caller which attempts come from addresses with recent failures, which may use only part of the
 * bcrypt queue. Windows are fixed minutes per key; the tables are bounded (when full, expired
 * entries are dropped, and if none are, new keys count as suspect). Thread-safe.
 */
final class LoginThrottle {

  static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Keys held at most, per table (addresses, users). */
  static final int MAX_KEYS = 100_000;

  private static final class Window {
    long startNanos;
    int failures;
    int pending;
  }

  private final int maxPerAddress;
  private final int maxPerUser;
  private final LongSupplier nanoClock;
  private final Map<InetAddress, Window> byAddress = new ConcurrentHashMap<>();
  private final Map<String, Window> byUser = new ConcurrentHashMap<>();

  LoginThrottle(int maxPerAddress, int maxPerUser) {
    this(maxPerAddress, maxPerUser, System::nanoTime);
  }

  LoginThrottle(int maxPerAddress, int maxPerUser, LongSupplier nanoClock) {
    this.maxPerAddress = maxPerAddress;
    this.maxPerUser = maxPerUser;
    this.nanoClock = nanoClock;
  }

  /**
   * What {@link #tryBegin} decided.
   *
   * @param retryAfterSeconds 0: go ahead (then {@link #finished} must follow); else refused, and
   *     the seconds until a retry may be let through
   * @param suspect the address failed recently or has other attempts being checked: it may use only
   *     part of the bcrypt queue
   */
  record Decision(long retryAfterSeconds, boolean suspect) {
    boolean allowed() {
      return retryAfterSeconds == 0;
    }
  }

  /** Reserves an attempt, or refuses it. */
  synchronized Decision tryBegin(InetAddress address, String user) {
    long now = nanoClock.getAsLong();
    Window a = window(byAddress, address, now);
    Window u = window(byUser, user, now);
    if (a == null || u == null) {
      return new Decision(60, true); // tables full of live entries: refuse new keys for now
    }
    if (a.failures + a.pending >= maxPerAddress) {
      return new Decision(retryAfter(a, now), true);
    }
    boolean clean = a.failures == 0 && a.pending == 0;
    if (!clean && u.failures + u.pending >= maxPerUser) {
      return new Decision(retryAfter(u, now), true);
    }
    a.pending++;
    u.pending++;
    return new Decision(0, !clean);
  }

  /** Ends an attempt {@link #tryBegin} let through. */
  synchronized void finished(InetAddress address, String user, boolean ok) {
    long now = nanoClock.getAsLong();
    end(byAddress.get(address), ok, now);
    end(byUser.get(user), ok, now);
  }

  private void end(Window w, boolean ok, long now) {
    if (w == null) {
      return;
    }
    w.pending = Math.max(0, w.pending - 1);
    if (!ok) {
      if (now - w.startNanos >= WINDOW_NANOS) {
        w.startNanos = now;
        w.failures = 0;
      }
      w.failures++;
    }
  }

  private static long retryAfter(Window w, long now) {
    long left = WINDOW_NANOS - (now - w.startNanos);
    return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(left + TimeUnit.SECONDS.toNanos(1) - 1));
  }

  private static <K> Window window(Map<K, Window> table, K key, long now) {
    Window w = table.get(key);
    if (w == null) {
      if (table.size() >= MAX_KEYS) {
        prune(table, now);
        if (table.size() >= MAX_KEYS) {
          return null;
        }
      }
      w = new Window();
      w.startNanos = now;
      table.put(key, w);
    } else if (now - w.startNanos >= WINDOW_NANOS) {
      w.startNanos = now;
      w.failures = 0;
    }
    return w;
  }

  private static <K> void prune(Map<K, Window> table, long now) {
    for (Iterator<Window> it = table.values().iterator(); it.hasNext(); ) {
      Window w = it.next();
      if (w.pending == 0 && now - w.startNanos >= WINDOW_NANOS) {
        it.remove();
      }
    }
  }
}
