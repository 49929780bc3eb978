package io.qmsgbus.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A validating scanner for one packet: in a single pass over the bytes it checks that they are
 * exactly one strict RFC 8259 JSON value in valid UTF-8 (no overlong forms, surrogates or truncated
 * sequences; no {@code NaN}, leading zeros, bad escapes or raw control characters in strings; no
 * trailing data), nested at most {@link #MAX_DEPTH} deep, and finds the top-level {@code skill} and
 * {@code id} of an object, counting each so a duplicate can be refused. Keys are compared after
 * unescaping, as every JSON reader does ({@code "sk\u0069ll"} is {@code skill}). Nothing but the
 * skill is decoded; the common packet (skill first, no escapes) costs one tight loop per string.
 */
public final class JsonScanner {

  /** The deepest nesting of arrays and objects a packet may have (the top-level object is 1). */
  public static final int MAX_DEPTH = 512;

  /** What {@link #idType()} returns for an {@code id} that is a string. */
  static final int STRING = 1;

  /** What {@link #idType()} returns for an {@code id} that is a number. */
  static final int NUMBER = 2;

  /** What {@link #idType()} returns for an {@code id} that is neither. */
  static final int OTHER = 3;

  private static final byte[] SKILL = {'s', 'k', 'i', 'l', 'l'};
  private static final byte[] ID = {'i', 'd'};
  private static final byte[] REPLY = {'r', 'e', 'p', 'l', 'y'};
  private static final byte[] RECEIPT = {'r', 'e', 'c', 'e', 'i', 'p', 't'};

  /** Stops the scan at the first fault; preallocated, so a bad packet costs no stack trace. */
  private static final Stop STOP = new Stop();

  private static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stop() {
      super("stop", null, false, false);
    }
  }

  private final byte[] b;
  private final int start;
  private final int end;
  private int pos;

  private String error;
  private boolean depthExceeded;
  private boolean object;
  private int skillCount;
  private boolean skillIsString;
  private int replyCount;
  private boolean receipt; // a top-level "receipt": true
  private String reply; // the first reply's text, when it is a string
  private String skill;
  private int idCount;
  private int idType;
  private int idStart;
  private int idEnd;

  private JsonScanner(byte[] b, int offset, int length) {
    this.b = b;
    this.pos = offset;
    this.start = offset;
    this.end = offset + length;
  }

  /** Scans {@code length} bytes of {@code bytes} from {@code offset}. Never throws. */
  public static JsonScanner scan(byte[] bytes, int offset, int length) {
    JsonScanner s = new JsonScanner(bytes, offset, length);
    try {
      s.document();
    } catch (Stop stop) {
      // s.error says why
    } catch (StackOverflowError tooDeep) {
      s.error = "nested too deep"; // not expected below MAX_DEPTH, but never thrown at a caller
    }
    return s;
  }

  /** Whether the bytes are exactly one strict JSON value in valid UTF-8. */
  public static boolean isValid(byte[] bytes, int offset, int length) {
    return scan(bytes, offset, length).error == null;
  }

  /** Why the bytes are not valid, with the byte offset of the fault; null when they are valid. */
  public String error() {
    return error;
  }

  /** Whether the scan stopped because the nesting exceeded {@link #MAX_DEPTH}. */
  public boolean depthExceeded() {
    return depthExceeded;
  }

  /** Whether the value is (or, for an invalid packet, starts as) an object. */
  public boolean isObject() {
    return object;
  }

  /** How many top-level {@code skill} keys were read (up to a fault, for an invalid packet). */
  public int skillCount() {
    return skillCount;
  }

  /** Whether the first top-level {@code skill} was a string. */
  /** How many top-level {@code reply} keys (a request names where answers go). */
  public int replyCount() {
    return replyCount;
  }

  /** Whether the packet has a top-level {@code "receipt": true}. */
  public boolean receipt() {
    return receipt;
  }

  /** The first top-level {@code reply}, if it is a string; else null. */
  public String reply() {
    return reply;
  }

  public boolean skillIsString() {
    return skillIsString;
  }

  /** The first top-level {@code skill}, decoded, or null if it is absent or not a string. */
  public String skill() {
    return skill;
  }

  /** How many top-level {@code id} keys were read. */
  public int idCount() {
    return idCount;
  }

  /** {@link #STRING}, {@link #NUMBER} or {@link #OTHER} for the first id; 0 when none. */
  int idType() {
    return idType;
  }

  /** The length in bytes of the first id's JSON text. */
  int idBytes() {
    return idEnd - idStart;
  }

  /** The first top-level id's JSON text as sent (a string or number), or null. */
  public String idJson() {
    if (idType != STRING && idType != NUMBER) {
      return null;
    }
    return new String(b, idStart, idEnd - idStart, StandardCharsets.UTF_8);
  }

  private void document() {
    ws();
    if (pos >= end) {
      fail("empty packet");
    }
    if (b[pos] == '{') {
      object = true;
      topObject();
    } else {
      value(1);
    }
    ws();
    if (pos < end) {
      fail("unexpected data after the JSON value");
    }
  }

  private void topObject() {
    pos++;
    ws();
    if (peek() == '}') {
      pos++;
      return;
    }
    while (true) {
      if (peek() != '"') {
        fail("expected a key string");
      }
      int keyStart = pos + 1;
      boolean escaped = string();
      int keyEnd = pos - 1;
      ws();
      expect(':');
      ws();
      int key = key(keyStart, keyEnd, escaped);
      if (key == 1) {
        skillCount++;
        if (skillCount == 1 && peek() == '"') {
          int start = pos + 1;
          boolean esc = string();
          skillIsString = true;
          skill = decode(start, pos - 1, esc);
        } else {
          value(2);
        }
      } else if (key == 2) {
        idCount++;
        int start = pos;
        int first = peek();
        value(2);
        if (idCount == 1) {
          idStart = start;
          idEnd = pos;
          idType = first == '"' ? STRING : (first == '-' || isDigit(first)) ? NUMBER : OTHER;
        }
      } else if (key == 3) {
        replyCount++;
        if (replyCount == 1 && peek() == '"') {
          int start = pos + 1;
          boolean esc = string();
          reply = decode(start, pos - 1, esc);
        } else {
          value(2);
        }
      } else if (key == 4) {
        if (peek() == 't') {
          literal("true");
          receipt = true;
        } else {
          value(2);
        }
      } else {
        value(2);
      }
      ws();
      int c = peek();
      if (c == ',') {
        pos++;
        ws();
      } else if (c == '}') {
        pos++;
        return;
      } else {
        fail("expected ',' or '}'");
      }
    }
  }

  /** 1 {@code skill}, 2 {@code id}, 3 {@code reply}, 4 {@code receipt}, 0 any other key. */
  private int key(int start, int stop, boolean escaped) {
    if (!escaped) {
      int len = stop - start;
      if (len == 5 && java.util.Arrays.equals(b, start, stop, SKILL, 0, 5)) {
        return 1;
      }
      if (len == 2 && java.util.Arrays.equals(b, start, stop, ID, 0, 2)) {
        return 2;
      }
      if (len == 5 && java.util.Arrays.equals(b, start, stop, REPLY, 0, 5)) {
        return 3;
      }
      if (len == 7 && java.util.Arrays.equals(b, start, stop, RECEIPT, 0, 7)) {
        return 4;
      }
      return 0;
    }
    String k = decode(start, stop, true);
    return switch (k) {
      case "skill" -> 1;
      case "id" -> 2;
      case "reply" -> 3;
      case "receipt" -> 4;
      default -> 0;
    };
  }

  private void value(int depth) {
    int c = peek();
    switch (c) {
      case '{' -> container(depth, '}');
      case '[' -> container(depth, ']');
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (c == '-' || isDigit(c)) {
          number();
        } else if (c < 0) {
          fail("unexpected end of input");
        } else {
          fail("unexpected character");
        }
      }
    }
  }

  private void container(int depth, char close) {
    if (depth > MAX_DEPTH) {
      depthExceeded = true;
      fail("nested deeper than " + MAX_DEPTH + " levels");
    }
    pos++;
    ws();
    if (peek() == close) {
      pos++;
      return;
    }
    while (true) {
      if (close == '}') {
        if (peek() != '"') {
          fail("expected a key string");
        }
        string();
        ws();
        expect(':');
        ws();
      }
      value(depth + 1);
      ws();
      int c = peek();
      if (c == ',') {
        pos++;
        ws();
      } else if (c == close) {
        pos++;
        return;
      } else {
        fail("expected ',' or '" + close + "'");
      }
    }
  }

  /** Scans the string at {@code pos} (its opening quote); returns whether it had escapes. */
  private boolean string() {
    byte[] b = this.b;
    int end = this.end;
    int p = pos + 1;
    boolean escaped = false;
    while (true) {
      if (p >= end) {
        pos = p;
        fail("unterminated string");
      }
      int c = b[p];
      if (c >= 0x20 && c != '"' && c != '\\') {
        p++; // printable ASCII: the common case
      } else if (c == '"') {
        pos = p + 1;
        return escaped;
      } else if (c == '\\') {
        escaped = true;
        p = escape(p);
      } else if (c >= 0) {
        pos = p;
        fail("control character in a string");
      } else {
        p = utf8(p);
      }
    }
  }

  private int escape(int p) {
    if (p + 1 >= end) {
      pos = p;
      fail("unterminated string");
    }
    switch (b[p + 1]) {
      case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
        return p + 2;
      }
      case 'u' -> {
        if (p + 5 >= end) {
          pos = p;
          fail("truncated \\u escape");
        }
        for (int i = p + 2; i < p + 6; i++) {
          if (hex(b[i]) < 0) {
            pos = i;
            fail("bad \\u escape");
          }
        }
        return p + 6;
      }
      default -> {
        pos = p;
        fail("bad escape");
        return p;
      }
    }
  }

  /** Checks the multi-byte UTF-8 sequence at {@code p}; returns the index after it. */
  private int utf8(int p) {
    int b0 = b[p] & 0xFF;
    int n;
    int lo = 0x80;
    int hi = 0xBF;
    if (b0 < 0xC2) {
      return badUtf8(p); // a stray continuation byte, or an overlong 2-byte form
    } else if (b0 < 0xE0) {
      n = 1;
    } else if (b0 < 0xF0) {
      n = 2;
      if (b0 == 0xE0) {
        lo = 0xA0; // overlong
      } else if (b0 == 0xED) {
        hi = 0x9F; // a surrogate
      }
    } else if (b0 < 0xF5) {
      n = 3;
      if (b0 == 0xF0) {
        lo = 0x90; // overlong
      } else if (b0 == 0xF4) {
        hi = 0x8F; // past U+10FFFF
      }
    } else {
      return badUtf8(p);
    }
    if (p + n >= end) {
      return badUtf8(p); // truncated
    }
    int b1 = b[p + 1] & 0xFF;
    if (b1 < lo || b1 > hi) {
      return badUtf8(p);
    }
    for (int i = p + 2; i <= p + n; i++) {
      if ((b[i] & 0xC0) != 0x80) {
        return badUtf8(p);
      }
    }
    return p + n + 1;
  }

  private int badUtf8(int p) {
    pos = p;
    fail("not valid UTF-8");
    return p;
  }

  /** Whether the bytes are valid UTF-8 (the same rules as inside a string), JSON or not. */
  public static boolean isUtf8(byte[] bytes, int offset, int length) {
    JsonScanner s = new JsonScanner(bytes, offset, length);
    int p = offset;
    int end = offset + length;
    try {
      while (p < end) {
        p = bytes[p] >= 0 ? p + 1 : s.utf8(p);
      }
      return true;
    } catch (Stop stop) {
      return false;
    }
  }

  private void number() {
    int p = pos;
    if (b[p] == '-') {
      p++;
    }
    if (p < end && b[p] == '0') {
      p++;
    } else if (p < end && isDigit(b[p])) {
      p = digits(p);
    } else {
      pos = p;
      fail("bad number");
    }
    if (p < end && b[p] == '.') {
      p++;
      if (p >= end || !isDigit(b[p])) {
        pos = p;
        fail("bad number: a digit must follow '.'");
      }
      p = digits(p);
    }
    if (p < end && (b[p] == 'e' || b[p] == 'E')) {
      p++;
      if (p < end && (b[p] == '+' || b[p] == '-')) {
        p++;
      }
      if (p >= end || !isDigit(b[p])) {
        pos = p;
        fail("bad number: a digit must follow the exponent");
      }
      p = digits(p);
    }
    pos = p;
  }

  private int digits(int p) {
    while (p < end && isDigit(b[p])) {
      p++;
    }
    return p;
  }

  private void literal(String word) {
    int n = word.length();
    if (pos + n > end) {
      fail("unexpected end of input");
    }
    for (int i = 0; i < n; i++) {
      if (b[pos + i] != word.charAt(i)) {
        fail("unexpected character");
      }
    }
    pos += n;
  }

  private void expect(char c) {
    if (peek() != c) {
      fail(peek() < 0 ? "unexpected end of input" : "expected '" + c + "'");
    }
    pos++;
  }

  private void ws() {
    while (pos < end) {
      byte c = b[pos];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      pos++;
    }
  }

  private int peek() {
    return pos < end ? b[pos] & 0xFF : -1;
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static int hex(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** The text of an already validated string body {@code [start, stop)}. */
  private String decode(int start, int stop, boolean escaped) {
    if (!escaped) {
      return new String(b, start, stop - start, StandardCharsets.UTF_8);
    }
    StringBuilder out = new StringBuilder(stop - start);
    int i = start;
    while (i < stop) {
      if (b[i] != '\\') {
        int j = i;
        while (j < stop && b[j] != '\\') {
          j++;
        }
        out.append(new String(b, i, j - i, StandardCharsets.UTF_8));
        i = j;
        continue;
      }
      byte e = b[i + 1];
      switch (e) {
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          int cp = 0;
          for (int k = i + 2; k < i + 6; k++) {
            cp = (cp << 4) | hex(b[k]);
          }
          out.append((char) cp);
          i += 4;
        }
        default -> out.append((char) e); // " \ /
      }
      i += 2;
    }
    return out.toString();
  }

  private void fail(String reason) {
    error = reason + " at byte " + (pos - start);
    throw STOP;
  }
}
