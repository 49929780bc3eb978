package io.qmsgbus.protocol;

/**
 * Rewrites the seed's Python-literal spelling ({@code {'buffering' : True}}) as JSON. The seed
 * documents its control packets this way, so a client that sends them literally must be understood.
 * Only the literal forms a dict of strings, booleans and None can take are translated; anything
 * else is left for the JSON parser to reject.
 */
final class PythonLiteral {

  private PythonLiteral() {}

  static String toJson(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"') {
        i = copyString(text, i, out);
      } else if (Character.isLetter(c)) {
        int start = i;
        while (i < n && Character.isLetterOrDigit(text.charAt(i))) {
          i++;
        }
        String word = text.substring(start, i);
        out.append(
            switch (word) {
              case "True" -> "true";
              case "False" -> "false";
              case "None" -> "null";
              default -> word;
            });
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Copies a quoted string starting at {@code start} as a JSON string; returns the next index. */
  private static int copyString(String text, int start, StringBuilder out) {
    char quote = text.charAt(start);
    out.append('"');
    int i = start + 1;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < n) {
        char next = text.charAt(i + 1);
        if (next == '\'') {
          out.append('\''); // \' is valid in Python, not in JSON
        } else {
          out.append(c).append(next);
        }
        i += 2;
      } else if (c == quote) {
        out.append('"');
        return i + 1;
      } else if (c == '"') {
        out.append("\\\""); // a double quote inside a single-quoted string
        i++;
      } else {
        out.append(c);
        i++;
      }
    }
    return i; // unterminated: the JSON parser reports it
  }
}
