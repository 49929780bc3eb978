package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class PendingRepliesTest {

  private final PendingReplies pending = new PendingReplies(Duration.ofSeconds(10));

  @Test
  void replyCompletesItsRequestOnce() {
    PendingReplies.Request a = pending.start();
    PendingReplies.Request b = pending.start();
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(pending.complete(b.id(), true, null)).isTrue();
    assertThat(b.reply()).isCompleted();
    assertThat(a.reply()).isNotDone();
    assertThat(pending.complete(b.id(), true, null)).isFalse();
  }

  @Test
  void refusalCarriesTheServersError() {
    PendingReplies.Request r = pending.start();
    pending.complete(r.id(), false, "skill too long");
    assertThatThrownBy(() -> r.reply().get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(BusException.class)
        .cause()
        .hasMessage("skill too long");
  }

  @Test
  void failAllFailsEveryWaitingRequest() {
    PendingReplies.Request a = pending.start();
    PendingReplies.Request b = pending.start();
    pending.failAll(new BusException("lost"));
    assertThat(a.reply()).isCompletedExceptionally();
    assertThat(b.reply()).isCompletedExceptionally();
    assertThat(pending.complete(a.id(), true, null)).isFalse();
  }

  @Test
  void unansweredRequestTimesOut() {
    PendingReplies quick = new PendingReplies(Duration.ofMillis(50));
    PendingReplies.Request r = quick.start();
    assertThatThrownBy(() -> r.reply().get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(quick.complete(r.id(), true, null)).isFalse();
  }
}
