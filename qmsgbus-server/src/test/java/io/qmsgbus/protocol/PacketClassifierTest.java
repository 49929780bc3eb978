package io.qmsgbus.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PacketClassifierTest {

  private final PacketClassifier classifier = new PacketClassifier(16, 32, 8);

  private Packet classify(String s) {
    byte[] b = ("xx" + s).getBytes(StandardCharsets.UTF_8);
    return classifier.classify(b, 2, b.length - 2);
  }

  @Test
  void dataPacketByItsSkillKey() {
    assertThat(classify("{\"skill\":\"skill1\",\"payload\":\"x\"}"))
        .isEqualTo(new Packet.Data("skill1", null));
  }

  @Test
  void aTruncatedDataPacketIsBadInputNoLongerForwarded() {
    // was: the classifier stopped at the skill, so a truncated payload was forwarded (Data("s"))
    assertThat(classify("{\"payload\":[1,2],\"skill\":\"s\",\"payload2\":"))
        .isInstanceOfSatisfying(
            Packet.BadInput.class,
            b -> assertThat(b.reason()).startsWith("a data packet must be a single strict JSON"));
  }

  @Test
  void skillWinsOverControlKeys() {
    assertThat(classify("{\"register\":\"a\",\"skill\":\"s\"}"))
        .isEqualTo(new Packet.Data("s", null));
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

  // -- the security review's defects --------------------------------------------------------

  @Test
  void aDuplicateSkillIsRefusedNotRoutedOnTheFirst() {
    assertThat(classify("{\"skill\":\"sensors.temp\",\"skill\":\"alerts.fire\",\"id\":3}"))
        .isEqualTo(
            new Packet.BadInput(
                "duplicate key \"skill\": a data packet must name its skill once", "3"));
    // an escaped key is the same key to every JSON reader
    assertThat(classify("{\"skill\":\"a\",\"sk\\u0069ll\":\"b\"}"))
        .isInstanceOfSatisfying(
            Packet.BadInput.class, b -> assertThat(b.reason()).startsWith("duplicate key"));
  }

  @Test
  void aDuplicateIdIsRefusedAndNotEchoed() {
    assertThat(classify("{\"skill\":\"s\",\"id\":1,\"id\":2}"))
        .isEqualTo(new Packet.BadInput("duplicate key \"id\": a packet must carry one id", null));
    assertThat(classify("{\"ack\":\"\",\"id\":1,\"id\":2}"))
        .isEqualTo(new Packet.BadInput("duplicate key \"id\": a packet must carry one id", null));
  }

  @Test
  void aDataPacketCarriesItsIdAsSent() {
    assertThat(classify("{\"skill\":\"s\",\"p\":[1,{\"id\":9}],\"id\":\"a\\u0041\"}"))
        .isEqualTo(new Packet.Data("s", "\"a\\u0041\""));
    assertThat(classify("{\"id\":-7.5e3,\"skill\":\"s\"}"))
        .isEqualTo(new Packet.Data("s", "-7.5e3"));
    assertThat(classify("{\"skill\":\"s\",\"id\":null}"))
        .isEqualTo(new Packet.BadInput("id must be a string or a number", null));
    assertThat(
            PacketClassifier.idOf(
                "{\"skill\":\"s\",\"id\":5}".getBytes(StandardCharsets.UTF_8), 0, 20))
        .isEqualTo("5");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"skill\":\"s\"",
        "{\"skill\":\"s\",\"p\":[1,2}",
        "{\"skill\":\"s\"} x",
        "{\"skill\":\"s\"}{\"skill\":\"s\"}",
        "{\"skill\":\"s\",\"p\":NaN}",
        "{\"skill\":\"s\",\"p\":Infinity}",
        "{\"skill\":\"s\",\"p\":-Infinity}",
        "{\"skill\":\"s\",\"p\":012}",
        "{\"skill\":\"s\",\"p\":1.}",
        "{\"skill\":\"s\",\"p\":.5}",
        "{\"skill\":\"s\",\"p\":+1}",
        "{\"skill\":\"s\",\"p\":\"\\x41\"}",
        "{\"skill\":\"s\",\"p\":\"\\u12G4\"}",
        "{\"skill\":\"s\",\"p\":\"a\tb\"}",
        "{\"skill\":\"s\",\"p\":\"a\u0000b\"}",
        "{\"skill\":\"s\",\"p\":[1,]}",
        "{\"skill\":\"s\",\"p\":tru}",
        "{\"skill\":\"s\",'p':1}",
        "{\"skill\":\"s\",\"p\":1,}"
      })
  void aDataPacketMustBeStrictJsonWhole(String text) {
    assertThat(classify(text)).isInstanceOf(Packet.BadInput.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "C0 AF", // overlong '/'
        "E0 80 AF", // overlong, 3 bytes
        "F0 80 80 AF", // overlong, 4 bytes
        "ED A0 80", // a UTF-16 surrogate
        "F4 90 80 80", // past U+10FFFF
        "C3", // truncated
        "E2 82", // truncated
        "80", // a lone continuation byte
        "FF"
      })
  void invalidUtf8InADataPacketIsRefused(String hex) {
    byte[] bad = hex(hex);
    byte[] head = "{\"skill\":\"s\",\"p\":\"".getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[head.length + bad.length + 2];
    System.arraycopy(head, 0, b, 0, head.length);
    System.arraycopy(bad, 0, b, head.length, bad.length);
    b[b.length - 2] = '"';
    b[b.length - 1] = '}';
    assertThat(classifier.classify(b, 0, b.length))
        .isEqualTo(new Packet.BadInput("not valid UTF-8", null));
  }

  @Test
  void validUtf8InEveryLengthIsFine() {
    assertThat(classify("{\"skill\":\"de.berlin.tür\",\"p\":\"€ 𝄞 \u007f\"}"))
        .isEqualTo(new Packet.Data("de.berlin.tür", null));
  }

  @Test
  void invalidUtf8InAControlPacketIsRefusedNotReplaced() {
    byte[] b = {
      '{', '"', 'r', 'e', 'g', 'i', 's', 't', 'e', 'r', '"', ':', '"', 'a', (byte) 0xFF, '"', '}'
    };
    assertThat(classifier.classify(b, 0, b.length))
        .isEqualTo(new Packet.BadInput("not valid UTF-8", null));
    byte[] py = {
      '{',
      '\'',
      'r',
      'e',
      'g',
      'i',
      's',
      't',
      'e',
      'r',
      '\'',
      ':',
      '\'',
      (byte) 0xC0,
      (byte) 0xAF,
      '\'',
      '}'
    };
    assertThat(classifier.classify(py, 0, py.length))
        .isEqualTo(new Packet.BadInput("not valid UTF-8", null));
  }

  @Test
  void nestingIsBoundedAtTheDocumentedDepth() {
    String ok = "{\"skill\":\"s\",\"p\":" + "[".repeat(511) + "]".repeat(511) + "}";
    assertThat(classify(ok)).isEqualTo(new Packet.Data("s", null));
    String deep = "{\"skill\":\"s\",\"p\":" + "[".repeat(512) + "]".repeat(512) + "}";
    assertThat(classify(deep))
        .isInstanceOfSatisfying(
            Packet.BadInput.class, b -> assertThat(b.reason()).contains("nested deeper than 512"));
  }

  @Test
  void aLongIdIsRefusedAndNotEchoed() {
    String id32 = "\"" + "a".repeat(30) + "\"";
    assertThat(classify("{\"skill\":\"s\",\"id\":" + id32 + "}"))
        .isEqualTo(new Packet.Data("s", id32));
    String id33 = "\"" + "a".repeat(31) + "\"";
    Packet.BadInput tooLong = new Packet.BadInput("id longer than 32 characters", null);
    assertThat(classify("{\"skill\":\"s\",\"id\":" + id33 + "}")).isEqualTo(tooLong);
    assertThat(classify("{\"ack\":\"\",\"id\":" + id33 + "}")).isEqualTo(tooLong);
    assertThat(classify("{\"ack\":\"\",\"id\":" + "1".repeat(33) + "}")).isEqualTo(tooLong);
    assertThat(classify("{'ack':'','id':'" + "a".repeat(40) + "'}")).isEqualTo(tooLong);
    // counted in characters, not bytes
    String wide = "\"" + "ü".repeat(30) + "\"";
    assertThat(classify("{\"ack\":\"\",\"id\":" + wide + "}"))
        .isInstanceOfSatisfying(Packet.Control.class, c -> assertThat(c.idJson()).isEqualTo(wide));
  }

  @Test
  void aRegisterListIsReadOnlyUpToTheLimitAndDeduplicatedInOrder() {
    assertThat(classify("{\"register\":[\"b\",\"a\",\"b\",\"c\",\"a\"]}"))
        .isEqualTo(
            new Packet.Control(List.of("b", "a", "c"), null, null, null, false, false, null));
    String eight = "\"s\"" + ",\"s\"".repeat(7);
    assertThat(classify("{\"deregister\":[" + eight + "]}"))
        .isEqualTo(new Packet.Control(null, List.of("s"), null, null, false, false, null));
    assertThat(classify("{\"register\":[" + eight + ",\"t\"],\"id\":4}"))
        .isEqualTo(new Packet.BadInput("too many skills in one packet: at most 8", "4"));
  }

  @Test
  void aHugeRegisterListIsCheap() {
    PacketClassifier real = new PacketClassifier(256, 256, 10_000);
    StringBuilder sb = new StringBuilder("{\"register\":[");
    for (int i = 0; i < 120_000; i++) {
      sb.append(i == 0 ? "" : ",").append("\"s").append(i).append('"');
    }
    byte[] b = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    Packet p = real.classify(b, 0, b.length);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(p)
        .isEqualTo(new Packet.BadInput("too many skills in one packet: at most 10000", null));
    assertThat(ms).as("one control packet's cost").isLessThan(2_000);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"skill\":\"a b\"}",
        "{\"skill\":\"a..b\"}",
        "{\"skill\":\"a.*\"}",
        "{\"register\":\"x>\"}"
      })
  void skillNamesFollowTheGrammar(String text) {
    assertThat(classify(text)).isInstanceOf(Packet.BadInput.class);
  }

  private static byte[] hex(String spaced) {
    String[] parts = spaced.split(" ");
    byte[] out = new byte[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return out;
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
