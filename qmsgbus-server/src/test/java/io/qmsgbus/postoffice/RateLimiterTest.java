package io.qmsgbus.postoffice;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void aFullSecondOfBurstThenTheRate() {
    RateLimiter r = new RateLimiter(10, 0);
    int taken = 0;
    for (int i = 0; i < 100; i++) {
      if (r.tryTake(0)) {
        taken++;
      }
    }
    assertThat(taken).as("one second's worth at once").isEqualTo(10);
    assertThat(r.tryTake(SECOND / 20)).as("half a token later").isFalse();
    assertThat(r.tryTake(SECOND / 10)).as("one token later").isTrue();
    assertThat(r.tryTake(SECOND / 10)).isFalse();
  }

  @Test
  void idleTimeDoesNotBankMoreThanOneSecond() {
    RateLimiter r = new RateLimiter(5, 0);
    int taken = 0;
    for (int i = 0; i < 100; i++) {
      if (r.tryTake(3_600 * SECOND)) {
        taken++;
      }
    }
    assertThat(taken).isEqualTo(5);
  }
}
