package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {

  @Test
  void givesAMembersRawText() {
    String packet = "{\"skill\":\"a\", \"payload\" : {\"x\":[1, \"\\u00e9\"]} ,\"id\":\"r\\n\"}";
    assertThat(JsonReader.topLevelRaw(packet, "payload")).isEqualTo("{\"x\":[1, \"\\u00e9\"]}");
    assertThat(JsonReader.topLevelRaw(packet, "id")).isEqualTo("\"r\\n\"");
    assertThat(JsonReader.topLevelRaw(packet, "none")).isNull();
    assertThat(JsonReader.topLevelRaw("{\"payload\":1,\"payload\":2.5e3}", "payload"))
        .isEqualTo("2.5e3");
    assertThat(JsonReader.topLevelRaw("{\"payload\":1", "payload")).isNull();
    assertThat(JsonReader.topLevelRaw("[1]", "payload")).isNull();
    assertThat(JsonReader.topLevelRaw("{}", "payload")).isNull();
  }

  @Test
  void readsTheServersReplies() {
    assertThat(JsonReader.readObject("{\"id\":7,\"ok\":true}"))
        .containsExactly(Map.entry("id", 7L), Map.entry("ok", true));
    Map<String, Object> refused =
        JsonReader.readObject(
            "{ \"id\" : \"x\" , \"ok\" : false , \"error\" : \"bad \\\"skill\\\"\" }");
    assertThat(refused.get("id")).isEqualTo("x");
    assertThat(refused.get("ok")).isEqualTo(false);
    assertThat(refused.get("error")).isEqualTo("bad \"skill\"");
  }

  @Test
  void readsEveryScalarKind() {
    Map<String, Object> m =
        JsonReader.readObject(
            "{\"s\":\"x\",\"t\":true,\"f\":false,\"n\":null,\"i\":-12,\"d\":1.5e3,"
                + "\"big\":123456789012345678901234567890,\"z\":0}");
    assertThat(m.get("s")).isEqualTo("x");
    assertThat(m.get("t")).isEqualTo(true);
    assertThat(m.get("f")).isEqualTo(false);
    assertThat(m).containsKey("n");
    assertThat(m.get("n")).isNull();
    assertThat(m.get("i")).isEqualTo(-12L);
    assertThat(m.get("d")).isEqualTo(new BigDecimal("1.5e3"));
    assertThat(m.get("big")).isEqualTo(new BigDecimal("123456789012345678901234567890"));
    assertThat(m.get("z")).isEqualTo(0L);
  }

  @Test
  void keepsNestedValuesAsRawText() {
    Map<String, Object> m =
        JsonReader.readObject("{\"payload\":{\"a\":[1,{\"b\":\"}\"}]},\"list\":[ ],\"o\":{}}");
    assertThat(m.get("payload")).isEqualTo(new JsonReader.Nested("{\"a\":[1,{\"b\":\"}\"}]}"));
    assertThat(m.get("list")).isEqualTo(new JsonReader.Nested("[ ]"));
    assertThat(m.get("o")).isEqualTo(new JsonReader.Nested("{}"));
  }

  @Test
  void decodesEscapes() {
    assertThat(JsonReader.readObject("{\"k\":\"\\u00e9\\n\\/\\ud83d\\ude00\"}").get("k"))
        .isEqualTo("é\n/😀");
  }

  @Test
  void laterDuplicateKeyWins() {
    assertThat(JsonReader.readObject("{\"a\":1,\"a\":2}").get("a")).isEqualTo(2L);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "[]",
        "\"s\"",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{'a':1}",
        "{\"a\":True}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":-}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"unterminated}",
        "{\"a\":\"raw\ncontrol\"}",
        "{\"a\":[1 2]}",
        "{\"a\":{\"b\" 1}}",
        "{\"a\":1} x",
        "{\"a\":1}{}"
      })
  void rejectsMalformedObjects(String json) {
    assertThatThrownBy(() -> JsonReader.readObject(json))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsAbsurdNesting() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertThatThrownBy(() -> JsonReader.readObject("{\"a\":" + deep + "}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deep");
    assertThat(JsonReader.isValue(deep)).isFalse();
  }

  @Test
  void findsTheTopLevelSkillOnly() {
    assertThat(
            JsonReader.topLevelString(
                "{\"payload\":{\"skill\":\"inner\"},\"skill\":\"s1\"}", "skill"))
        .isEqualTo("s1");
    assertThat(JsonReader.topLevelString("{\"payload\":{\"skill\":\"inner\"}}", "skill")).isNull();
    assertThat(JsonReader.topLevelString("{\"skill\":5}", "skill")).isNull();
    assertThat(JsonReader.topLevelString("not json", "skill")).isNull();
  }

  @Test
  void recognisesSingleValues() {
    assertThat(JsonReader.isValue("1")).isTrue();
    assertThat(JsonReader.isValue(" \"text\" ")).isTrue();
    assertThat(JsonReader.isValue("null")).isTrue();
    assertThat(JsonReader.isValue("{\"a\":[true,false,null,{}]}")).isTrue();
    assertThat(JsonReader.isValue("")).isFalse();
    assertThat(JsonReader.isValue("1 2")).isFalse();
    assertThat(JsonReader.isValue("text")).isFalse();
    assertThat(JsonReader.isValue("{\"a\":1")).isFalse();
  }
}
