package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SkillPatternsTest {

  @Test
  void exactNamesAndWildcards() {
    SkillPatterns p = SkillPatterns.parse("sensors.*, alerts ,*.alarm,a*b*c");
    assertThat(p.patterns()).containsExactly("sensors.*", "alerts", "*.alarm", "a*b*c");
    assertThat(p.matches("alerts")).isTrue();
    assertThat(p.matches("alerts2")).isFalse();
    assertThat(p.matches("sensors.t1")).isTrue();
    assertThat(p.matches("sensors.room1.t1")).isTrue();
    assertThat(p.matches("sensors.")).isTrue();
    assertThat(p.matches("sensors")).isFalse();
    assertThat(p.matches("boiler.alarm")).isTrue();
    assertThat(p.matches("abc")).isTrue();
    assertThat(p.matches("aXbYc")).isTrue();
    assertThat(p.matches("aXbY")).isFalse();
    assertThat(p.matches("")).isFalse();
  }

  @Test
  void starMatchesAllAndEmptyMatchesNothing() {
    assertThat(SkillPatterns.parse("*").matches("anything at all")).isTrue();
    assertThat(SkillPatterns.ALL.matches("")).isTrue();
    assertThat(SkillPatterns.parse("").matches("a")).isFalse();
    assertThat(SkillPatterns.parse(null)).isEqualTo(SkillPatterns.NONE);
    assertThat(SkillPatterns.of(List.of(" ", "a", "a")).patterns()).containsExactly("a");
    assertThat(SkillPatterns.parse("x,y").toString()).isEqualTo("x,y");
  }

  @Test
  void noBlowUpOnManyStars() {
    String pattern = "*a".repeat(30) + "b";
    String text = "a".repeat(5000);
    assertThat(SkillPatterns.glob(pattern, text)).isFalse();
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
