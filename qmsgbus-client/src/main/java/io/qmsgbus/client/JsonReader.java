package io.qmsgbus.client;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small strict JSON reader for what the client reads: the server's flat reply objects and the
 * top-level {@code skill} of a data packet. Top-level members become Java values; nested objects
 * and arrays are validated and kept as their raw text ({@link Nested}), since nothing here needs to
 * look inside them.
 */
final class JsonReader {

  /** A nested object or array, kept as its exact source text. */
  record Nested(String json) {}

  private static final int MAX_DEPTH = 512;

  private final String s;
  private int pos;

  private JsonReader(String s) {
    this.s = s;
  }

  /**
   * Reads a JSON object. Member values are {@link String}, {@link Boolean}, {@code null}, {@link
   * Long} (integers that fit), {@link BigDecimal} (other numbers) or {@link Nested}. A repeated key
   * keeps its last value.
   *
   * @throws IllegalArgumentException if {@code json} is not exactly one well-formed JSON object
   */
  static Map<String, Object> readObject(String json) {
    JsonReader r = new JsonReader(json);
    r.skipWhitespace();
    if (r.peek() != '{') {
      throw r.error("expected an object");
    }
    Map<String, Object> members = r.readMembers();
    r.expectEnd();
    return members;
  }

  /**
   * Returns the string value of the top-level member {@code key}, or {@code null} when {@code json}
   * is not a well-formed object, has no such member, or its value is not a string.
   */
  static String topLevelString(String json, String key) {
    try {
      return readObject(json).get(key) instanceof String value ? value : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Returns the exact source text of the top-level member {@code key}'s value (e.g. {@code
   * {"a":1}}, {@code "text"} with its quotes and escapes), or {@code null} when {@code json} is not
   * a well-formed object or has no such member. A repeated key gives its last value.
   */
  static String topLevelRaw(String json, String key) {
    JsonReader r = new JsonReader(json);
    try {
      r.skipWhitespace();
      if (r.peek() != '{') {
        return null;
      }
      r.pos++;
      r.skipWhitespace();
      String found = null;
      if (r.peek() == '}') {
        r.pos++;
      } else {
        while (true) {
          r.skipWhitespace();
          if (r.peek() != '"') {
            throw r.error("expected a member name");
          }
          String name = r.readString();
          r.skipWhitespace();
          r.expect(':');
          r.skipWhitespace();
          int start = r.pos;
          r.readValue(1);
          if (name.equals(key)) {
            found = json.substring(start, r.pos);
          }
          r.skipWhitespace();
          char c = r.next();
          if (c == '}') {
            break;
          }
          if (c != ',') {
            throw r.error("expected ',' or '}'");
          }
        }
      }
      r.expectEnd();
      return found;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Tells whether {@code json} is exactly one well-formed JSON value (whitespace around allowed).
   */
  static boolean isValue(String json) {
    JsonReader r = new JsonReader(json);
    try {
      r.skipWhitespace();
      r.readValue(0);
      r.expectEnd();
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private Map<String, Object> readMembers() {
    Map<String, Object> members = new LinkedHashMap<>();
    pos++; // '{'
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return members;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a member name");
      }
      String key = readString();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      members.put(key, readValue(1));
      skipWhitespace();
      char c = next();
      if (c == '}') {
        return members;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private Object readValue(int depth) {
    char c = peek();
    switch (c) {
      case '"':
        return readString();
      case '{':
      case '[':
        int start = pos;
        skipComposite(depth);
        return new Nested(s.substring(start, pos));
      case 't':
        readLiteral("true");
        return Boolean.TRUE;
      case 'f':
        readLiteral("false");
        return Boolean.FALSE;
      case 'n':
        readLiteral("null");
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return readNumber();
        }
        throw error("unexpected character");
    }
  }

  /** Skips an object or array, checking its syntax, without building anything. */
  private void skipComposite(int depth) {
    if (depth >= MAX_DEPTH) {
      throw error("nested too deeply");
    }
    char open = next();
    char close = open == '{' ? '}' : ']';
    skipWhitespace();
    if (peek() == close) {
      pos++;
      return;
    }
    while (true) {
      skipWhitespace();
      if (open == '{') {
        if (peek() != '"') {
          throw error("expected a member name");
        }
        readString();
        skipWhitespace();
        expect(':');
        skipWhitespace();
      }
      if (peek() == '{' || peek() == '[') {
        skipComposite(depth + 1);
      } else {
        readValue(depth + 1);
      }
      skipWhitespace();
      char c = next();
      if (c == close) {
        return;
      }
      if (c != ',') {
        throw error("expected ',' or '" + close + "'");
      }
    }
  }

  private String readString() {
    pos++; // opening quote
    StringBuilder out = null;
    int runStart = pos;
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        String tail = s.substring(runStart, pos++);
        return out == null ? tail : out.append(tail).toString();
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c != '\\') {
        pos++;
        continue;
      }
      if (out == null) {
        out = new StringBuilder();
      }
      out.append(s, runStart, pos);
      pos++;
      out.append(readEscape());
      runStart = pos;
    }
  }

  private char readEscape() {
    char c = next();
    switch (c) {
      case '"':
      case '\\':
      case '/':
        return c;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u':
        if (pos + 4 > s.length()) {
          throw error("short unicode escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
          int digit = Character.digit(s.charAt(pos++), 16);
          if (digit < 0) {
            throw error("bad unicode escape");
          }
          code = code * 16 + digit;
        }
        return (char) code;
      default:
        throw error("bad escape");
    }
  }

  private Object readNumber() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else {
      requireDigits();
    }
    boolean integral = true;
    if (peek() == '.') {
      integral = false;
      pos++;
      requireDigits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      requireDigits();
    }
    String text = s.substring(start, pos);
    if (integral) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException tooBig) {
        // falls through to BigDecimal
      }
    }
    return new BigDecimal(text);
  }

  private void requireDigits() {
    int start = pos;
    while (peek() >= '0' && peek() <= '9') {
      pos++;
    }
    if (pos == start) {
      throw error("expected a digit");
    }
  }

  private void readLiteral(String literal) {
    if (!s.startsWith(literal, pos)) {
      throw error("unexpected character");
    }
    pos += literal.length();
  }

  private void skipWhitespace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private void expectEnd() {
    skipWhitespace();
    if (pos != s.length()) {
      throw error("trailing characters");
    }
  }

  private void expect(char c) {
    if (next() != c) {
      throw error("expected '" + c + "'");
    }
  }

  /** The current character, or NUL at the end (NUL never starts a valid token). */
  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private char next() {
    if (pos >= s.length()) {
      throw error("unexpected end of input");
    }
    return s.charAt(pos++);
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + pos);
  }
}
