package io.qmsgbus.postoffice;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.qmsgbus.message.Message;
import io.qmsgbus.session.Connection;
import org.junit.jupiter.api.Test;

class QueueBudgetTest {

  private static Message message(QueueBudget budget, int bytes) {
    ByteBuf b = Unpooled.buffer(bytes).writeZero(bytes);
    return Message.of("s", b, 1, 1, null, budget);
  }

  @Test
  void aMessageIsCountedOnceHoweverManyHoldIt() {
    QueueBudget budget = new QueueBudget(1_000);
    Message m = message(budget, 600);
    m.retain(999); // a thousand receivers
    assertThat(budget.used()).isEqualTo(600);
    assertThat(budget.spent()).isFalse();
    m.release(1_000);
    assertThat(budget.used()).isZero();
  }

  @Test
  void aPausedPublisherResumesBelowThreeQuarters() {
    QueueBudget budget = new QueueBudget(1_000);
    Message a = message(budget, 600);
    Message b = message(budget, 500);
    assertThat(budget.spent()).isTrue();
    FakeConnection publisher = new FakeConnection();
    budget.pause(publisher);
    assertThat(publisher.held(Connection.Hold.BUDGET)).isTrue();
    assertThat(budget.pausedPublishers()).isEqualTo(1);
    b.release(); // 600 left, below three quarters (750)
    publisher.loop.runPendingTasks();
    assertThat(publisher.held(Connection.Hold.BUDGET)).isFalse();
    assertThat(budget.pausedPublishers()).isZero();
    a.release();
    publisher.loop.finishAndReleaseAll();
  }

  /** Just enough of a connection to be paused and resumed. */
  static final class FakeConnection implements Connection {
    final EmbeddedChannel loop = new EmbeddedChannel();
    private final java.util.EnumSet<Hold> holds = java.util.EnumSet.noneOf(Hold.class);

    @Override
    public io.netty.channel.EventLoop eventLoop() {
      return loop.eventLoop();
    }

    @Override
    public void binary(ByteBuf payload) {}

    @Override
    public void text(String json) {}

    @Override
    public void flush() {}

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public long pendingBytes() {
      return 0;
    }

    @Override
    public void hold(Hold reason, boolean on) {
      if (on) {
        holds.add(reason);
      } else {
        holds.remove(reason);
      }
    }

    @Override
    public boolean held(Hold reason) {
      return holds.contains(reason);
    }

    @Override
    public void close(int code, String reason) {}

    @Override
    public void discard() {}

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public String remoteAddress() {
      return "test";
    }
  }
}
