package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void plainTextIsOnlyQuoted() {
    assertThat(Json.quote("skill1")).isEqualTo("\"skill1\"");
    assertThat(Json.quote("")).isEqualTo("\"\"");
  }

  @Test
  void quotesAndBackslashesAreEscaped() {
    assertThat(Json.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
  }

  @Test
  void controlCharactersAreEscaped() {
    assertThat(Json.quote("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
    assertThat(Json.quote("\u0000\u001f")).isEqualTo("\"\\u0000\\u001f\"");
  }

  @Test
  void nonAsciiIsKeptAsIs() {
    assertThat(Json.quote("héllo €")).isEqualTo("\"héllo €\"");
    assertThat(Json.quote("😀")).isEqualTo("\"😀\""); // a surrogate pair stays whole
    assertThat(Json.quote("/")).isEqualTo("\"/\"");
  }

  @Test
  void loneSurrogatesAreEscaped() {
    assertThat(Json.quote("a\ud800b")).isEqualTo("\"a\\ud800b\"");
    assertThat(Json.quote("\udc00")).isEqualTo("\"\\udc00\"");
  }

  @Test
  void quotedTextReadsBackUnchanged() {
    String nasty = "q\"b\\s/\n\t\u0001 é 😀 \ud800";
    assertThat(JsonReader.readObject("{\"k\":" + Json.quote(nasty) + "}").get("k"))
        .isEqualTo(nasty);
  }
}
