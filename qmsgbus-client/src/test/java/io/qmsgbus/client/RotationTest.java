package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RotationTest {

  private static Rotation rotation(int size) {
    return new Rotation(size, new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000)));
  }

  private static Rotation.Attempt at(int index, long delayMillis) {
    return new Rotation.Attempt(index, Duration.ofMillis(delayMillis));
  }

  @Test
  void oneServerIsPlainExponentialBackoff() {
    Rotation r = rotation(1);
    r.connected(0);
    assertThat(r.lost(0)).isEqualTo(at(0, 100));
    assertThat(r.failed()).isEqualTo(at(0, 200));
    assertThat(r.failed()).isEqualTo(at(0, 400));
    r.connected(0);
    assertThat(r.lost(0)).isEqualTo(at(0, 100));
  }

  @Test
  void afterALossTheNextServerIsTriedAndTheBackoffComesOncePerRound() {
    Rotation r = rotation(3);
    r.connected(1);
    assertThat(r.lost(1)).isEqualTo(at(2, 100)); // the next one, after the initial delay
    assertThat(r.failed()).isEqualTo(at(0, 0)); // round-robin, at once
    assertThat(r.failed()).isEqualTo(at(1, 0)); // the lost one comes last in the round
    assertThat(r.failed()).isEqualTo(at(2, 200)); // all three failed: wait, doubled
    assertThat(r.failed()).isEqualTo(at(0, 0));
    assertThat(r.failed()).isEqualTo(at(1, 0));
    assertThat(r.failed()).isEqualTo(at(2, 400));
    assertThat(r.failed()).isEqualTo(at(0, 0));
    r.connected(0); // success: the backoff starts over
    assertThat(r.lost(0)).isEqualTo(at(1, 100));
  }

  @Test
  void theBackoffIsCapped() {
    Rotation r = rotation(2);
    r.connected(0);
    r.lost(0);
    Rotation.Attempt last = null;
    for (int i = 0; i < 20; i++) {
      last = r.failed();
    }
    assertThat(last.delay()).isEqualTo(Duration.ofMillis(1000));
  }

  @Test
  void needsAServer() {
    assertThatThrownBy(() -> rotation(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
