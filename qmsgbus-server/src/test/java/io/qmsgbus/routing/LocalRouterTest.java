package io.qmsgbus.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalRouterTest {

  private final LocalRouter router = new LocalRouter();

  private static Message message(String skill) {
    return Message.of(
        skill,
        Unpooled.copiedBuffer("{\"skill\":\"" + skill + "\"}", StandardCharsets.UTF_8),
        1,
        1,
        null,
        ByteAccount.NONE);
  }

  /** Keeps what it is offered. */
  static final class Keeper implements Receiver {
    final List<Message> got = new ArrayList<>();

    @Override
    public void offer(Message m) {
      got.add(m);
    }
  }

  @Test
  void subscribeIsIdempotentAndTheSkillGoesWithItsLastReceiver() {
    Keeper a = new Keeper();
    assertThat(router.subscribe("s", a)).isTrue();
    assertThat(router.subscribe("s", a)).isFalse();
    assertThat(router.hasReceivers("s")).isTrue();
    assertThat(router.skillCount()).isEqualTo(1);
    assertThat(router.unsubscribe("s", a)).isTrue();
    assertThat(router.unsubscribe("s", a)).isFalse();
    assertThat(router.hasReceivers("s")).isFalse();
    assertThat(router.skillCount()).isZero();
  }

  @Test
  void publishGivesEveryReceiverItsOwnReferenceToOneMessage() {
    Keeper a = new Keeper();
    Keeper b = new Keeper();
    router.subscribe("s", a);
    router.subscribe("s", b);
    Message m = message("s");
    assertThat(router.publish(m)).isEqualTo(2);
    assertThat(a.got).containsExactly(m);
    assertThat(b.got).containsExactly(m);
    assertThat(m.refCnt()).isEqualTo(3);
    m.release(3);
    assertThat(m.content().refCnt()).isZero();
    Message unrouted = message("nobody");
    assertThat(router.publish(unrouted)).isZero();
    unrouted.release();
  }

  @Test
  void aReceiverThatThrowsLeavesNoReferenceBehindForTheOthers() {
    Keeper first = new Keeper();
    router.subscribe("s", first);
    router.subscribe(
        "s",
        m -> {
          m.release();
          throw new IllegalStateException("broken receiver");
        });
    router.subscribe("s", new Keeper());
    Message m = message("s");
    assertThatThrownBy(() -> router.publish(m)).isInstanceOf(IllegalStateException.class);
    assertThat(m.refCnt()).as("the caller's and the first receiver's").isEqualTo(2);
    first.got.forEach(Message::release);
    m.release();
    assertThat(m.content().refCnt()).isZero();
  }
}
