package io.qmsgbus.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The scanner agrees with Jackson's strict parser (duplicate detection off, its default) and a
 * strict UTF-8 decoder on whether a packet is one valid JSON value: for generated JSON, for JSON
 * with one byte inserted, deleted or replaced, and for arbitrary bytes.
 */
class JsonScannerProperties {

  private static final JsonFactory STRICT = new JsonFactory();

  /** What the scanner must say: valid UTF-8 (strictly decoded) and one value Jackson accepts. */
  static boolean reference(byte[] b) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(b))
              .toString();
    } catch (CharacterCodingException e) {
      return false;
    }
    if (nonAsciiHexDigit(text)) {
      return false;
    }
    // from the decoded text: given bytes, Jackson guesses UTF-16 or UTF-32 from NUL bytes
    try (JsonParser p = STRICT.createParser(text)) {
      if (p.nextToken() == null) {
        return false;
      }
      p.skipChildren();
      return p.nextToken() == null;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * Jackson 2.21 reads the digits of a backslash-u escape as {@code ch & 0xFF}, so it accepts three
   * zeros followed by U+0830 as the escape of U+0000; RFC 8259 allows only ASCII hex digits there.
   * The reference rejects what the RFC rejects (found by this property on a CI run).
   */
  private static boolean nonAsciiHexDigit(String text) {
    for (int i = 0; i + 1 < text.length(); i++) {
      if (text.charAt(i) == '\\') {
        if (text.charAt(i + 1) == 'u') {
          for (int k = i + 2; k < Math.min(i + 6, text.length()); k++) {
            if (text.charAt(k) > 127) {
              return true;
            }
          }
        }
        i++; // skip the escaped character, so "\\\\u" is not read as an escape
      }
    }
    return false;
  }

  private static void agree(byte[] b) {
    assertThat(JsonScanner.isValid(b, 0, b.length))
        .as("%s", new String(b, StandardCharsets.ISO_8859_1))
        .isEqualTo(reference(b));
  }

  @Property(tries = 2_000)
  void generatedJsonIsValid(@ForAll("json") String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    assertThat(JsonScanner.isValid(b, 0, b.length)).as(json).isTrue();
    agree(b);
  }

  @Property(tries = 5_000)
  void mutatedJsonAgreesWithJackson(@ForAll("mutated") byte[] b) {
    agree(b);
  }

  @Property(tries = 3_000)
  void arbitraryBytesAgreeWithJackson(@ForAll @Size(max = 64) byte[] b) {
    agree(b);
  }

  @Property(tries = 2_000)
  void jsonishBytesAgreeWithJackson(@ForAll("jsonish") byte[] b) {
    agree(b);
  }

  @Provide
  Arbitrary<String> json() {
    return value(4);
  }

  private Arbitrary<String> value(int depth) {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.of("true", "false", "null", "0", "-0", "1.5e-3", "-12E+7", "3.0", "1e9"),
            Arbitraries.integers().map(String::valueOf),
            Arbitraries.doubles()
                .map(String::valueOf)
                .filter(s -> !s.contains("Infinity") && !s.contains("NaN")),
            string());
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> inner = Arbitraries.lazy(() -> value(depth - 1));
    Arbitrary<String> array =
        inner.list().ofMaxSize(4).map(l -> "[" + String.join(ws(l.size()), l) + "]");
    Arbitrary<String> object =
        Combinators.combine(string(), inner)
            .as((k, v) -> k + " : " + v)
            .list()
            .ofMaxSize(4)
            .map(l -> "{" + String.join(",\n", l) + "}");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, scalar),
        net.jqwik.api.Tuple.of(2, array),
        net.jqwik.api.Tuple.of(2, object));
  }

  private static String ws(int n) {
    return n % 2 == 0 ? "," : " ,\t";
  }

  private Arbitrary<String> string() {
    Arbitrary<String> raw =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .withCharRange('\u00a0', '\u07ff')
            .withCharRange('\u0800', '\ud7ff')
            .withChars('\ue000', '\uffff')
            .ofMaxLength(12)
            .map(s -> s.replace("\\", "\\\\").replace("\"", "\\\""));
    Arbitrary<String> escape =
        Arbitraries.of(
            "\\n",
            "\\t",
            "\\\"",
            "\\\\",
            "\\/",
            "\\b",
            "\\f",
            "\\r",
            "\\u0000",
            "\\uD834\\uDD1E",
            "\\u00e9",
            "😀");
    return Combinators.combine(raw, escape, raw).as((a, e, c) -> "\"" + a + e + c + "\"");
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    Arbitrary<byte[]> source = json().map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<Byte> bytes =
        Arbitraries.oneOf(
            Arbitraries.of(
                    '{',
                    '}',
                    '[',
                    ']',
                    '"',
                    '\\',
                    ',',
                    ':',
                    '0',
                    '1',
                    '-',
                    '+',
                    '.',
                    'e',
                    'u',
                    'n',
                    ' ',
                    '\t',
                    '\n',
                    'x',
                    (char) 0,
                    (char) 0x1f,
                    (char) 0x7f)
                .map(c -> (byte) c.charValue()),
            Arbitraries.bytes());
    return Combinators.combine(
            source,
            Arbitraries.integers().between(0, 2),
            Arbitraries.doubles().between(0, 1),
            bytes)
        .as(
            (b, op, where, x) -> {
              int i = (int) (where * b.length);
              byte[] out;
              switch (op) {
                case 0 -> { // insert
                  out = new byte[b.length + 1];
                  System.arraycopy(b, 0, out, 0, i);
                  out[i] = x;
                  System.arraycopy(b, i, out, i + 1, b.length - i);
                }
                case 1 -> { // delete
                  if (b.length == 0) {
                    return b;
                  }
                  int j = Math.min(i, b.length - 1);
                  out = new byte[b.length - 1];
                  System.arraycopy(b, 0, out, 0, j);
                  System.arraycopy(b, j + 1, out, j, b.length - j - 1);
                }
                default -> { // replace
                  if (b.length == 0) {
                    return b;
                  }
                  out = b.clone();
                  out[Math.min(i, b.length - 1)] = x;
                }
              }
              return out;
            });
  }

  @Provide
  Arbitrary<byte[]> jsonish() {
    return Arbitraries.strings()
        .withChars("{}[]\"\\:,0123456789.eE+-truefalsn \t\u00e9\u20ac")
        .ofMaxLength(40)
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
  }
}
