package io.qmsgbus.cluster;

import static io.qmsgbus.cluster.Gaps.Verdict.DUPLICATE;
import static io.qmsgbus.cluster.Gaps.Verdict.GAP;
import static io.qmsgbus.cluster.Gaps.Verdict.IN_ORDER;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GapsTest {

  private final Gaps gaps = new Gaps();

  @Test
  void theFirstPacketSeenIsTheBaselineWhateverItsNumber() {
    assertThat(gaps.observe("s", "a", 5, 1000)).isEqualTo(IN_ORDER);
    assertThat(gaps.observe("s", "a", 5, 1001)).isEqualTo(IN_ORDER);
  }

  @Test
  void aSkippedNumberIsAGapOfThatMany() {
    gaps.observe("s", "a", 5, 1);
    assertThat(gaps.observe("s", "a", 5, 5)).isEqualTo(GAP);
    assertThat(gaps.missed()).isEqualTo(3);
    assertThat(gaps.observe("s", "a", 5, 6)).isEqualTo(IN_ORDER);
  }

  @Test
  void aRepeatedOrOlderNumberIsADuplicate() {
    gaps.observe("s", "a", 5, 1);
    gaps.observe("s", "a", 5, 2);
    assertThat(gaps.observe("s", "a", 5, 2)).isEqualTo(DUPLICATE);
    assertThat(gaps.observe("s", "a", 5, 1)).isEqualTo(DUPLICATE);
    assertThat(gaps.observe("s", "a", 5, 3)).isEqualTo(IN_ORDER);
  }

  @Test
  void aNewerEpochStartsAfreshAndAnOlderOneIsDeliveredUnnoted() {
    gaps.observe("s", "a", 5, 100);
    assertThat(gaps.observe("s", "a", 6, 1)).isEqualTo(IN_ORDER); // restarted: no gap
    assertThat(gaps.observe("s", "a", 5, 101)).isEqualTo(IN_ORDER); // late, from the old counter
    assertThat(gaps.observe("s", "a", 6, 2)).isEqualTo(IN_ORDER);
  }

  @Test
  void nodesAndSkillsAreNumberedApart() {
    gaps.observe("s", "a", 1, 1);
    gaps.observe("s", "b", 1, 50);
    gaps.observe("t", "a", 1, 7);
    assertThat(gaps.observe("s", "a", 1, 2)).isEqualTo(IN_ORDER);
    assertThat(gaps.observe("s", "b", 1, 51)).isEqualTo(IN_ORDER);
    assertThat(gaps.observe("t", "a", 1, 8)).isEqualTo(IN_ORDER);
  }

  @Test
  void forgettingASkillMakesTheNextSubscriptionStartAfresh() {
    gaps.observe("s", "a", 1, 1);
    gaps.forget("s");
    assertThat(gaps.skills()).isZero();
    assertThat(gaps.observe("s", "a", 1, 90)).isEqualTo(IN_ORDER);
  }
}
