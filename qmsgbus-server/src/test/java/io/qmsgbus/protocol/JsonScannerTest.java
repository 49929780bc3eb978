package io.qmsgbus.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonScannerTest {

  private static JsonScanner scan(String s) {
    byte[] b = ("ab" + s + "cd").getBytes(StandardCharsets.UTF_8);
    return JsonScanner.scan(b, 2, b.length - 4);
  }

  @Test
  void findsTheTopLevelSkillAndIdOnly() {
    JsonScanner s = scan("{\"p\":{\"skill\":\"inner\",\"id\":1},\"id\":\"x\",\"skill\":\"outer\"}");
    assertThat(s.error()).isNull();
    assertThat(s.skill()).isEqualTo("outer");
    assertThat(s.skillCount()).isEqualTo(1);
    assertThat(s.idJson()).isEqualTo("\"x\"");
    assertThat(s.idCount()).isEqualTo(1);
  }

  @Test
  void decodesAnEscapedSkillAndCountsEscapedKeys() {
    JsonScanner s =
        scan("{\"\\u0073kill\":\"a\\u002eb\\/c\\\\d\\\"e\\ud834\\udd1e\",\"i\\u0064\":2}");
    assertThat(s.error()).isNull();
    assertThat(s.skill()).isEqualTo("a.b/c\\d\"e\ud834\udd1e");
    assertThat(s.idJson()).isEqualTo("2");
  }

  @Test
  void onlyAsciiHexDigitsInAnEscape() {
    // Jackson 2.21 accepts this one (it reads a digit as ch & 0xFF, and U+0830 & 0xFF is '0')
    JsonScanner s = scan("{\"k\":\"\\u000\u0830\"}");
    assertThat(s.error()).contains("bad \\u escape");
  }

  @Test
  void countsDuplicates() {
    JsonScanner s = scan("{\"skill\":\"a\",\"id\":1,\"skill\":2,\"id\":[3]}");
    assertThat(s.error()).isNull();
    assertThat(s.skillCount()).isEqualTo(2);
    assertThat(s.idCount()).isEqualTo(2);
    assertThat(s.skill()).isEqualTo("a");
  }

  @Test
  void reportsWhereTheFaultIs() {
    assertThat(scan("{\"skill\":\"s\",\"p\":01}").error())
        .isEqualTo("expected ',' or '}' at byte 18");
    assertThat(scan("{\"skill\":\"s\"").error()).isEqualTo("expected ',' or '}' at byte 12");
    assertThat(scan("").error()).isEqualTo("empty packet at byte 0");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "[]",
        "0",
        "-0.0e+0",
        "\"\"",
        "true",
        " {\"a\" : [ 1 , 2.5E3 , null ] } ",
        "{\"a\":\"\u007f\u00e9\u20ac\ud83d\ude00\"}",
        "[\"\\ud800\"]"
      })
  void acceptsStrictJson(String text) {
    assertThat(scan(text).error()).as(text).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "{",
        "}",
        "[1 2]",
        "{\"a\"}",
        "{\"a\":}",
        "{a:1}",
        "[01]",
        "[1e]",
        "[-]",
        "[1.e1]",
        "[\"\\u00\"]",
        "[\"\\a\"]",
        "[\"\n\"]",
        "[nul]",
        "[True]",
        "{} {}",
        "[1]]",
        "[,1]"
      })
  void refusesWhatIsNot(String text) {
    assertThat(scan(text).error()).as(text).isNotNull();
  }

  @Test
  void isUtf8FollowsTheStrictRules() {
    assertThat(JsonScanner.isUtf8("é€😀".getBytes(StandardCharsets.UTF_8), 0, 9)).isTrue();
    assertThat(JsonScanner.isUtf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0, 3))
        .isFalse();
    assertThat(JsonScanner.isUtf8(new byte[] {(byte) 0xF0, (byte) 0x9F}, 0, 2)).isFalse();
    assertThat(JsonScanner.isUtf8(new byte[] {'a', (byte) 0xF0, (byte) 0x9F}, 0, 1)).isTrue();
  }
}
