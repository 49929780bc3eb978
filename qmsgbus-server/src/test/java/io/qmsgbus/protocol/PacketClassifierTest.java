package io.qmsgbus.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PacketClassifierTest {

  private final PacketClassifier classifier = new PacketClassifier(16);

  private Packet classify(String s) {
    byte[] b = ("xx" + s).getBytes(StandardCharsets.UTF_8);
    return classifier.classify(b, 2, b.length - 2);
  }

  @Test
  void dataPacketByItsSkillKey() {
    assertThat(classify("{\"skill\":\"skill1\",\"payload\":\"x\"}"))
        .isEqualTo(new Packet.Data("skill1"));
  }

  @Test
  void dataPacketStopsAtTheSkillSoTheRestIsNotParsed() {
    assertThat(classify("{\"payload\":[1,2],\"skill\":\"s\",\"payload2\":"))
        .isEqualTo(new Packet.Data("s"));
  }

  @Test
  void skillWinsOverControlKeys() {
    assertThat(classify("{\"register\":\"a\",\"skill\":\"s\"}")).isEqualTo(new Packet.Data("s"));
  }

  @Test
  void registerSingleAndList() {
    assertThat(classify("{\"register\":\"a\"}"))
        .isEqualTo(new Packet.Control(List.of("a"), null, null, null, false, false, null));
    assertThat(classify("{\"register\":[\"a\",\"b\"],\"id\":7}"))
        .isEqualTo(new Packet.Control(List.of("a", "b"), null, null, null, false, false, "7"));
  }

  @Test
  void severalControlsInOnePacket() {
    assertThat(
            classify(
                "{\"deregister\":[\"x\"],\"buffering\":true,\"fastpush\":false,\"ack\":\"\",\"get\":0,\"id\":\"r1\"}"))
        .isEqualTo(new Packet.Control(null, List.of("x"), true, false, true, true, "\"r1\""));
  }

  @Test
  void pythonLiteralSpellingsOfTheSeed() {
    assertThat(classify("{'register':'skill1'}"))
        .isEqualTo(new Packet.Control(List.of("skill1"), null, null, null, false, false, null));
    assertThat(classify("{'buffering' : True}"))
        .isEqualTo(new Packet.Control(null, null, true, null, false, false, null));
    assertThat(classify("{'fastpush' : False, 'ack': None}"))
        .isEqualTo(new Packet.Control(null, null, null, false, true, false, null));
    assertThat(classify("{'register': \"it's\"}"))
        .isEqualTo(new Packet.Control(List.of("it's"), null, null, null, false, false, null));
  }

  @Test
  void pythonLiteralDataIsRefused() {
    assertThat(classify("{'skill':'s','payload':1}"))
        .isInstanceOfSatisfying(
            Packet.BadInput.class, b -> assertThat(b.reason()).contains("standard JSON"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"ack\":\"\"}",
        "{\"ack\": \"\"}",
        "{'ack':''}",
        "{'ack': ''}",
        "{\"ack\":1}",
        "{ \"ack\" : null }"
      })
  void bareAcksInEverySpelling(String text) {
    assertThat(classify(text))
        .isEqualTo(new Packet.Control(null, null, null, null, true, false, null));
  }

  @Test
  void unknownKeysBesideAKnownOneAreIgnored() {
    assertThat(classify("{\"ack\":\"\",\"future\":{\"x\":[1]}}"))
        .isEqualTo(new Packet.Control(null, null, null, null, true, false, null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json",
        "[1,2]",
        "\"str\"",
        "{}",
        "{\"hello\":1}",
        "{\"register\":[]}",
        "{\"register\":5}",
        "{\"register\":[\"a\",3]}",
        "{\"register\":\"\"}",
        "{\"register\":\"abcdefghijklmnopq\"}",
        "{\"buffering\":\"yes\"}",
        "{\"fastpush\":1}",
        "{\"ack\":\"\",\"id\":[1]}",
        "{\"skill\":5}",
        "{\"skill\":\"\"}",
        "{\"skill\":\"abcdefghijklmnopq\"}",
        "{\"ack\":\"\"} {\"ack\":\"\"}",
        "{\"ack\":",
        ""
      })
  void badInput(String text) {
    assertThat(classify(text)).isInstanceOf(Packet.BadInput.class);
  }

  @Test
  void badValueIsRejectedWholeAndKeepsTheId() {
    assertThat(classify("{\"register\":[],\"fastpush\":true,\"id\":42}"))
        .isEqualTo(new Packet.BadInput("register list must not be empty", "42"));
  }

  @Test
  void idKeepsItsExactSpelling() {
    assertThat(classify("{\"ack\":\"\",\"id\":12345678901234567890}"))
        .isInstanceOfSatisfying(
            Packet.Control.class, c -> assertThat(c.idJson()).isEqualTo("12345678901234567890"));
    assertThat(classify("{\"ack\":\"\",\"id\":\"q\\\"x\"}"))
        .isInstanceOfSatisfying(
            Packet.Control.class, c -> assertThat(c.idJson()).isEqualTo("\"q\\\"x\""));
  }

  @Test
  void deepNestingIsBadInputNotACrash() {
    String deep = "{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + ",\"ack\":1}";
    assertThat(classify(deep)).isInstanceOf(Packet.BadInput.class);
  }

  @Test
  void invalidUtf8IsBadInput() {
    byte[] b = {'{', '"', 'a', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
    assertThat(classifier.classify(b, 0, b.length)).isInstanceOf(Packet.BadInput.class);
  }

  @Test
  void repliesAreWellFormed() {
    assertThat(Replies.ok("7")).isEqualTo("{\"id\":7,\"ok\":true}");
    assertThat(Replies.error(null, "bad \"x\""))
        .isEqualTo("{\"ok\":false,\"error\":\"bad \\\"x\\\"\"}");
    assertThat(Replies.error("\"a\"", "e"))
        .isEqualTo("{\"id\":\"a\",\"ok\":false,\"error\":\"e\"}");
  }
}
