package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One publisher's packet for one skill: {@code {"skill":"S","t":T,"p":"xxxx"}}, padded with x to
 * the requested size. {@code T} is the send time as a fixed-width 18-digit number, so stamping a
 * packet rewrites 18 bytes of a template in place and a receiver reads it at a known offset. The
 * same bytes go to QMsgBus (as the data packet) and to NATS (as the message payload).
 */
final class Payload {

  /** Added to the clock so the number always has {@link #T_DIGITS} digits and no leading zero. */
  static final long BASE = 100_000_000_000_000_000L;

  static final int T_DIGITS = 18;

  /** The clock's origin: stamps are {@code nanoTime - ORIGIN + BASE}, positive for ~28 years. */
  static final long ORIGIN = System.nanoTime();

  private static final byte[] T_KEY = ",\"t\":".getBytes(StandardCharsets.US_ASCII);

  /** Digits of a packet id ({@link #ofWithId}): a fixed-width JSON string, "0000000001". */
  static final int ID_DIGITS = 10;

  private final byte[] bytes;
  private final int tOffset;
  private final int idOffset;

  private Payload(byte[] bytes, int tOffset, int idOffset) {
    this.bytes = bytes;
    this.tOffset = tOffset;
    this.idOffset = idOffset;
  }

  /** The smallest packet for {@code skill}: the fields without padding. */
  static int minSize(String skill) {
    return prefix(skill, false).length + T_DIGITS + ",\"p\":\"\"}".length();
  }

  /** A packet of exactly {@code max(size, minSize(skill))} bytes. */
  static Payload of(String skill, int size) {
    return of(skill, size, false);
  }

  /**
   * A packet that also carries an {@code "id"} (a QMsgBus data packet with an id gets a publisher
   * confirm): {@code {"skill":"S","id":"0000000000","t":T,"p":"xx"}}; {@link #stampId} sets it.
   */
  static Payload ofWithId(String skill, int size) {
    return of(skill, size, true);
  }

  private static Payload of(String skill, int size, boolean withId) {
    byte[] prefix = prefix(skill, withId);
    byte[] mid = ",\"p\":\"".getBytes(StandardCharsets.US_ASCII);
    int total = Math.max(size, prefix.length + T_DIGITS + ",\"p\":\"\"}".length());
    byte[] b = new byte[total];
    System.arraycopy(prefix, 0, b, 0, prefix.length);
    int tOff = prefix.length;
    Arrays.fill(b, tOff, tOff + T_DIGITS, (byte) '0');
    b[tOff] = '1';
    int pos = tOff + T_DIGITS;
    System.arraycopy(mid, 0, b, pos, mid.length);
    pos += mid.length;
    Arrays.fill(b, pos, total - 2, (byte) 'x');
    b[total - 2] = '"';
    b[total - 1] = '}';
    int idOff = -1;
    if (withId) {
      idOff = ("{\"skill\":\"" + skill + "\",\"id\":\"").length();
    }
    return new Payload(b, tOff, idOff);
  }

  private static byte[] prefix(String skill, boolean withId) {
    // skill names in the bench are plain ASCII ([a-z0-9.]), so no JSON escaping is needed
    String id = withId ? "\"id\":\"" + "0".repeat(ID_DIGITS) + "\"," : "";
    return ("{\"skill\":\"" + skill + "\"," + id + "\"t\":").getBytes(StandardCharsets.US_ASCII);
  }

  /** Writes {@code id} (0 to 10^10 - 1) into a packet made by {@link #ofWithId}. */
  void stampId(long id) {
    if (idOffset < 0) {
      throw new IllegalStateException("a packet without an id field");
    }
    writeDigits(bytes, idOffset, ID_DIGITS, id);
  }

  /** Writes {@code v} as exactly {@code digits} decimal digits (leading zeros) at {@code at}. */
  static void writeDigits(byte[] b, int at, int digits, long v) {
    for (int i = at + digits - 1; i >= at; i--) {
      b[i] = (byte) ('0' + (int) (v % 10));
      v /= 10;
    }
  }

  /** Writes the stamp for {@code nanoTime} into the template. */
  void stamp(long nanoTime) {
    long v = nanoTime - ORIGIN + BASE;
    byte[] b = bytes;
    for (int i = tOffset + T_DIGITS - 1; i >= tOffset; i--) {
      b[i] = (byte) ('0' + (int) (v % 10));
      v /= 10;
    }
  }

  byte[] bytes() {
    return bytes;
  }

  int length() {
    return bytes.length;
  }

  int tOffset() {
    return tOffset;
  }

  /**
   * Reads the send time (as a {@link System#nanoTime()} value) from a packet, trying {@code hint}
   * (the offset of the digits) first and else searching for {@code ,"t":}. {@code scratch} is the
   * caller's buffer of at least {@link #SCRATCH} bytes (one copy out of a direct buffer is cheaper
   * than 20 bounds-checked reads). Returns {@code Long.MIN_VALUE} when the packet holds no stamp.
   */
  static long readStamp(ByteBuf buf, int index, int length, int hint, byte[] scratch) {
    int at;
    if (hint >= 3 && hint + T_DIGITS <= length) {
      buf.getBytes(index + hint - 3, scratch, 0, T_DIGITS + 3);
      if (scratch[0] == 't' && scratch[1] == '"' && scratch[2] == ':') {
        return parse(scratch, 3);
      }
    }
    at = find(buf, index, length);
    if (at < 0 || at + T_DIGITS > length) {
      return Long.MIN_VALUE;
    }
    buf.getBytes(index + at, scratch, 0, T_DIGITS);
    return parse(scratch, 0);
  }

  static final int SCRATCH = T_DIGITS + 3;

  private static long parse(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + T_DIGITS; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return Long.MIN_VALUE;
      }
      v = v * 10 + d;
    }
    return v - BASE + ORIGIN;
  }

  /** The offset of the digits after {@code ,"t":}, or -1. */
  private static int find(ByteBuf buf, int index, int length) {
    outer:
    for (int i = 0; i + T_KEY.length <= length; i++) {
      for (int j = 0; j < T_KEY.length; j++) {
        if (buf.getByte(index + i + j) != T_KEY[j]) {
          continue outer;
        }
      }
      return i + T_KEY.length;
    }
    return -1;
  }
}
