package io.qmsgbus.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.skill.SkillName;
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

  private final PacketClassifier classifier = new PacketClassifier(256, 256, 1_000);

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
    assertThat(classifier.classify(b, 0, b.length)).isEqualTo(new Packet.Data(skill, null));
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

  @Property(tries = 300)
  void aStringSkillThatBreaksTheGrammarIsBadInput(@ForAll("anyStrings") String skill) {
    byte[] b = ("{\"skill\":" + Replies.jsonString(skill) + "}").getBytes(StandardCharsets.UTF_8);
    String problem = SkillName.problem(skill, 256);
    Packet p = classifier.classify(b, 0, b.length);
    if (problem == null) {
      assertThat(p).isEqualTo(new Packet.Data(skill, null));
    } else {
      assertThat(p).isEqualTo(new Packet.BadInput(problem, null));
    }
  }

  /** Skill names of the grammar (SkillName): dot-separated tokens, no whitespace, no wildcards. */
  @Provide
  Arbitrary<String> skills() {
    // was: any string of 1 to 256 characters; SkillName now refuses whitespace, control
    // characters, empty tokens and '*'/'>'; characters that survive UTF-8 only (no lone surrogates)
    Arbitrary<String> token =
        Arbitraries.strings()
            .withCharRange('!', '~')
            .withCharRange('\u00a1', '\u1fff')
            .withCharRange('\u3001', '\ud7ff')
            .excludeChars('.', '*', '>')
            .ofMinLength(1)
            .ofMaxLength(20);
    return token
        .list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .map(t -> String.join(".", t))
        .filter(SkillName::isValid);
  }

  @Provide
  Arbitrary<String> anyStrings() {
    return Arbitraries.strings().withCharRange('\u0001', '\ud7ff').ofMinLength(1).ofMaxLength(64);
  }

  @Provide
  Arbitrary<String> nonStrings() {
    return Arbitraries.of(
        "1", "-2.5e300", "true", "false", "null", "[]", "[\"s\"]", "{}", "{\"a\":\"s\"}");
  }
}
