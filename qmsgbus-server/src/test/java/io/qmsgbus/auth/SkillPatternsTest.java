package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmsgbus.skill.SkillPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

class SkillPatternsTest {

  @Test
  void exactNamesAndWildcardsByWholeTokens() {
    SkillPatterns p = SkillPatterns.parse("sensors.*, alerts ,*.alarm,logs.>");
    assertThat(p.patterns()).containsExactly("sensors.*", "alerts", "*.alarm", "logs.>");
    assertThat(p.matches("alerts")).isTrue();
    assertThat(p.matches("alerts2")).isFalse();
    assertThat(p.matches("sensors.t1")).isTrue();
    assertThat(p.matches("sensors.room1.t1")).as("* is one token").isFalse();
    assertThat(p.matches("sensors")).isFalse();
    assertThat(p.matches("boiler.alarm")).isTrue();
    assertThat(p.matches("logs.a.b.c")).isTrue();
    assertThat(p.matches("logs")).as("> needs at least one token").isFalse();
  }

  @Test
  void restMatchesAllAndEmptyMatchesNothing() {
    assertThat(SkillPatterns.parse(">").matches("anything.at.all")).isTrue();
    assertThat(SkillPatterns.ALL.matches("a")).isTrue();
    assertThat(SkillPatterns.parse("").matches("a")).isFalse();
    assertThat(SkillPatterns.parse(null)).isEqualTo(SkillPatterns.NONE);
    assertThat(SkillPatterns.of(List.of(" ", "a", "a")).patterns()).containsExactly("a");
    assertThat(SkillPatterns.parse("x,y").toString()).isEqualTo("x,y");
  }

  @Test
  void whatIsNotAPatternIsAnError() {
    for (String bad : List.of("a*b", "a..b", ".a", "a.", "a.>.b", "a b", "sen*sors")) {
      assertThatThrownBy(() -> SkillPatterns.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a skill pattern");
    }
  }

  @Test
  void aRegistrationIsAllowedWhenItLiesWithinAnAllowedPattern() {
    SkillPatterns allowed = SkillPatterns.parse("sensors.*,logs.>");
    assertThat(allowed.covers(SkillPattern.parse("sensors.t1"))).isTrue();
    assertThat(allowed.covers(SkillPattern.parse("sensors.*"))).isTrue();
    assertThat(allowed.covers(SkillPattern.parse("sensors.>"))).as("wider than allowed").isFalse();
    assertThat(allowed.covers(SkillPattern.parse("logs.a.*"))).isTrue();
    assertThat(allowed.covers(SkillPattern.parse("logs.>"))).isTrue();
    assertThat(allowed.covers(SkillPattern.parse(">"))).isFalse();
    assertThat(allowed.covers(SkillPattern.parse("*"))).isFalse();
  }

  @Test
  void accessCachesDecisionsPerSkill() {
    SkillAccess a =
        new SkillAccess(
            new Identity("u", "jwt", SkillPatterns.parse("p.*"), SkillPatterns.parse("r")));
    for (int i = 0; i < 3 * SkillAccess.MAX_CACHED; i++) {
      assertThat(a.mayPublish("p." + i)).isTrue();
      assertThat(a.mayPublish("q." + i)).isFalse();
    }
    assertThat(a.mayRegister("r")).isTrue();
    assertThat(a.mayRegister("p.1")).isFalse();
  }
}
