package io.qmsgbus.store;

import java.util.Locale;

/** When stored records reach the disk, and so what a publisher confirm promises. */
public enum FsyncPolicy {
  /** Synced before any confirm for them is sent (one sync for everything pending: group commit). */
  ALWAYS,
  /** Synced every fsyncIntervalMillis; confirms wait for that sync. */
  INTERVAL,
  /** Written to the OS before confirms: survives kill -9 of the server, not a power loss. */
  NEVER;

  public static FsyncPolicy parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }
}
