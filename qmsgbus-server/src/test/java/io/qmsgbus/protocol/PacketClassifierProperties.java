package io.qmsgbus.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Hostile input for the classifier: whatever arrives, it answers, and never throws. */
class PacketClassifierProperties {

  private final PacketClassifier classifier = new PacketClassifier(256);

  @Property(tries = 2_000)
  void arbitraryBytesAreClassifiedNeverThrown(@ForAll @Size(max = 512) byte[] bytes) {
    assertThat(classifier.classify(bytes, 0, bytes.length)).isNotNull();
  }

  @Property(tries = 1_000)
  void jsonLookingGarbageIsClassifiedNeverThrown(@ForAll("jsonish") String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    assertThat(classifier.classify(b, 0, b.length)).isNotNull();
  }

  @Property(tries = 200)
  void deepNestingIsBadInput(@ForAll @IntRange(min = 1_001, max = 20_000) int depth) {
    String s = "{\"register\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    assertThat(classifier.classify(b, 0, b.length)).isInstanceOf(Packet.BadInput.class);
  }

  @Property(tries = 300)
  void hugeNumbersAreFineAsIdsAndValues(@ForAll @IntRange(min = 1, max = 900) int digits) {
    String n = "9".repeat(digits);
    byte[] b = ("{\"ack\":" + n + ",\"id\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    Packet p = classifier.classify(b, 0, b.length);
    assertThat(p).isNotNull();
    if (p instanceof Packet.Control c) {
      assertThat(c.idJson()).isEqualTo(n);
    }
  }

  @Property(tries = 300)
  void aSkillThatIsNotAStringIsBadInput(@ForAll("nonStrings") String value) {
    byte[] b = ("{\"skill\":" + value + ",\"payload\":1}").getBytes(StandardCharsets.UTF_8);
    assertThat(classifier.classify(b, 0, b.length))
        .isInstanceOfSatisfying(
            Packet.BadInput.class,
            bad -> assertThat(bad.reason()).isEqualTo("skill must be a string"));
  }

  @Property(tries = 300)
  void anyStringSkillIsDataAndReadBack(@ForAll("skills") String skill) {
    String escaped = Replies.jsonString(skill);
    byte[] b = ("{\"skill\":" + escaped + ",\"payload\":{}}").getBytes(StandardCharsets.UTF_8);
    assertThat(classifier.classify(b, 0, b.length)).isEqualTo(new Packet.Data(skill));
  }

  @Property(tries = 300)
  void duplicateKeysAreDecidedNotCrashed(@ForAll boolean first, @ForAll boolean second) {
    byte[] b =
        ("{\"fastpush\":" + first + ",\"fastpush\":" + second + "}")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(classifier.classify(b, 0, b.length))
        .isInstanceOfSatisfying(
            Packet.Control.class, c -> assertThat(c.fastpush()).isEqualTo(second));
  }

  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.strings()
        .withChars("{}[]\"':,0123456789.eE+-truefalsnTFN \\skillregisteradbufpchgo")
        .withCharRange('\u0000', '\u00ff')
        .ofMaxLength(200);
  }

  @Provide
  Arbitrary<String> skills() {
    // any character that survives UTF-8 (lone surrogates do not, in any JSON library)
    return Arbitraries.strings().withCharRange('\u0001', '\ud7ff').ofMinLength(1).ofMaxLength(256);
  }

  @Provide
  Arbitrary<String> nonStrings() {
    return Arbitraries.of(
        "1", "-2.5e300", "true", "false", "null", "[]", "[\"s\"]", "{}", "{\"a\":\"s\"}");
  }
}
