package io.qmsgbus.skill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SkillGrammarTest {

  @Test
  void namesAreDotSeparatedTokens() {
    for (String ok : List.of("skill1", "sensors.room1.temp", "de.berlin.tür", "a-b_c:d", "x")) {
      assertThat(SkillName.problem(ok, 256)).as(ok).isNull();
      assertThat(SkillName.isValid(ok)).isTrue();
    }
  }

  @Test
  void whatIsNotAName() {
    assertThat(SkillName.problem("", 256)).contains("empty");
    assertThat(SkillName.problem("abc", 2)).contains("longer than 2");
    assertThat(SkillName.problem("a..b", 256)).contains("empty token");
    assertThat(SkillName.problem(".a", 256)).contains("empty token");
    assertThat(SkillName.problem("a.", 256)).contains("empty token");
    assertThat(SkillName.problem("a b", 256)).contains("whitespace");
    assertThat(SkillName.problem("a\tb", 256)).contains("whitespace");
    assertThat(SkillName.problem("a\u0001", 256)).contains("control");
    assertThat(SkillName.problem("sensors.*", 256)).contains("wildcard");
    assertThat(SkillName.problem("sensors.>", 256)).contains("wildcard");
    assertThat(SkillName.problem("a*b", 256)).contains("reserved");
    assertThat(SkillName.problem("a>", 256)).contains("reserved");
  }

  @Test
  void patternsMatchWholeTokens() {
    SkillPattern one = SkillPattern.parse("sensors.*");
    assertThat(one.matches("sensors.temp")).isTrue();
    assertThat(one.matches("sensors.room1.temp")).isFalse();
    assertThat(one.matches("sensors")).isFalse();
    assertThat(one.matches("sensorsX.temp")).isFalse();
    SkillPattern rest = SkillPattern.parse("sensors.>");
    assertThat(rest.matches("sensors.temp")).isTrue();
    assertThat(rest.matches("sensors.room1.temp")).isTrue();
    assertThat(rest.matches("sensors")).isFalse();
    SkillPattern exact = SkillPattern.parse("a.b");
    assertThat(exact.isLiteral()).isTrue();
    assertThat(exact.matches("a.b")).isTrue();
    assertThat(exact.matches("a.bc")).isFalse();
    assertThat(exact.matches("a.b.c")).isFalse();
    assertThat(SkillPattern.parse("*.alarm").matches("boiler.alarm")).isTrue();
    assertThat(SkillPattern.ALL.matches("x.y.z")).isTrue();
  }

  @Test
  void coversAsksWhetherAPatternLiesWithinAnother() {
    assertThat(SkillPattern.parse("a.*").covers(SkillPattern.parse("a.b"))).isTrue();
    assertThat(SkillPattern.parse("a.*").covers(SkillPattern.parse("a.*"))).isTrue();
    assertThat(SkillPattern.parse("a.*").covers(SkillPattern.parse("a.>"))).isFalse();
    assertThat(SkillPattern.parse("a.>").covers(SkillPattern.parse("a.*.c"))).isTrue();
    assertThat(SkillPattern.parse("a.b").covers(SkillPattern.parse("a.*"))).isFalse();
    assertThat(SkillPattern.parse(">").covers(SkillPattern.parse(">"))).isTrue();
    assertThat(SkillPattern.parse("*").covers(SkillPattern.parse("a.b"))).isFalse();
  }

  @Test
  void badPatternsSayWhy() {
    assertThatThrownBy(() -> SkillPattern.parse("a.>.b")).hasMessageContaining("last token");
    assertThatThrownBy(() -> SkillPattern.parse("a*")).hasMessageContaining("reserved");
    assertThatThrownBy(() -> SkillPattern.parse(" ")).hasMessageContaining("empty");
  }
}
