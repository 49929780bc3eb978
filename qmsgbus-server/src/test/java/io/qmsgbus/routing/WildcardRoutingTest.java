package io.qmsgbus.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Wildcard registrations in the local router: each rule of docs/PROTOCOL.md section 7. */
class WildcardRoutingTest {

  private final LocalRouter router = new LocalRouter();

  private static final class Counter implements Receiver {
    final List<String> got = new ArrayList<>();

    @Override
    public void offer(Message m) {
      got.add(m.skill());
      m.release();
    }
  }

  private int publish(String skill) {
    Message m =
        Message.of(
            skill,
            Unpooled.copiedBuffer("{\"skill\":\"" + skill + "\"}", StandardCharsets.UTF_8),
            1,
            1,
            null,
            ByteAccount.NONE);
    try {
      return router.publish(m);
    } finally {
      m.release();
    }
  }

  @Test
  void starIsExactlyOneToken() {
    Counter r = new Counter();
    router.subscribe("sensors.*", r);
    publish("sensors.temp");
    publish("sensors.room1.temp");
    publish("sensors");
    publish("other.temp");
    assertThat(r.got).containsExactly("sensors.temp");
  }

  @Test
  void greaterThanIsOneOrMoreTokensAtTheEnd() {
    Counter r = new Counter();
    router.subscribe("sensors.>", r);
    publish("sensors.temp");
    publish("sensors.room1.temp");
    publish("sensors");
    assertThat(r.got).containsExactly("sensors.temp", "sensors.room1.temp");
  }

  @Test
  void greaterThanAloneIsEverything() {
    Counter r = new Counter();
    router.subscribe(">", r);
    publish("a");
    publish("a.b.c");
    assertThat(r.got).containsExactly("a", "a.b.c");
  }

  @Test
  void starInTheMiddle() {
    Counter r = new Counter();
    router.subscribe("a.*.c", r);
    publish("a.b.c");
    publish("a.x.c");
    publish("a.b.d");
    publish("a.b.c.d");
    publish("a.c");
    assertThat(r.got).containsExactly("a.b.c", "a.x.c");
  }

  @Test
  void overlappingRegistrationsOfOneReceiverDeliverOnce() {
    Counter r = new Counter();
    router.subscribe("a.b", r);
    router.subscribe("a.*", r);
    router.subscribe("a.>", r);
    router.subscribe(">", r);
    assertThat(publish("a.b")).isEqualTo(1);
    assertThat(r.got).containsExactly("a.b");
  }

  @Test
  void exactAndWildcardReceiversEachGetOneCopy() {
    Counter exact = new Counter();
    Counter wild = new Counter();
    router.subscribe("a.b", exact);
    router.subscribe("a.*", wild);
    assertThat(publish("a.b")).isEqualTo(2);
    assertThat(exact.got).containsExactly("a.b");
    assertThat(wild.got).containsExactly("a.b");
  }

  @Test
  void theCachedAnswerFollowsEveryChange() {
    Counter wild = new Counter();
    Counter exact = new Counter();
    router.subscribe("x.*", wild);
    assertThat(publish("x.y")).isEqualTo(1); // cached now
    router.subscribe("x.y", exact); // an exact change starts a new generation
    assertThat(publish("x.y")).isEqualTo(2);
    router.unsubscribe("x.*", wild);
    assertThat(publish("x.y")).isEqualTo(1);
    router.unsubscribe("x.y", exact);
    assertThat(publish("x.y")).isZero();
    assertThat(router.skillCount()).isZero();
  }

  @Test
  void patternsCountAsRegistrationsAndLeaveNothingBehind() {
    Counter r = new Counter();
    router.subscribe("p.*", r);
    router.subscribe("p.>", r);
    assertThat(router.hasReceivers("p.*")).isTrue();
    assertThat(router.skillCount()).isEqualTo(2);
    assertThat(router.receiverCounts()).containsEntry("p.*", 1).containsEntry("p.>", 1);
    assertThat(router.unsubscribe("p.*", r)).isTrue();
    assertThat(router.unsubscribe("p.*", r)).isFalse();
    router.unsubscribe("p.>", r);
    assertThat(router.skillCount()).isZero();
    assertThat(publish("p.q")).isZero();
  }
}
