package io.qmsgbus.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.OverflowPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One test per rule of PROTOCOL.md section 4, on the state machine alone. */
class DeliveryStateMachineTest {

  /** Records writes and counts references, so every test also proves nothing leaks. */
  static final class Recorder implements DeliveryStateMachine.Output<String> {
    final List<String> written = new ArrayList<>();
    final List<String> dropped = new ArrayList<>();
    int live;
    boolean disconnect;

    String packet(String s) {
      live++;
      return s;
    }

    @Override
    public void write(String packet) {
      written.add(packet);
      live--; // the wire consumed it
    }

    @Override
    public String retain(String packet) {
      live++;
      return packet;
    }

    @Override
    public void release(String packet) {
      live--;
    }

    @Override
    public int size(String packet) {
      return packet.length();
    }

    @Override
    public void dropped(String packet) {
      dropped.add(packet);
    }

    @Override
    public void disconnect() {
      disconnect = true;
    }

    final List<String> acked = new ArrayList<>();

    @Override
    public void acked(String packet) {
      acked.add(packet);
    }

    final List<String> delivered = new ArrayList<>();

    @Override
    public void delivered(String packet) {
      delivered.add(packet);
    }
  }

  @Nested
  class InFlightPacket {
    @Test
    void theUnackedPacketIsHeldAndItsOwnerToldOnAck() {
      offer("a", "b");
      assertThat(m.unacked()).isEqualTo("a");
      assertThat(out.live).as("queued b, and a held for a re-send").isEqualTo(2);
      m.ack();
      assertThat(out.acked).containsExactly("a");
      assertThat(m.unacked()).isEqualTo("b");
      m.ack();
      assertThat(out.acked).containsExactly("a", "b");
      assertThat(m.unacked()).isNull();
      assertThat(out.live).isZero();
    }

    @Test
    void fastPushAwaitsNothing() {
      offer("a");
      m.fastpush(true);
      assertThat(m.unacked()).isNull();
      offer("b", "c");
      assertThat(m.unacked()).isNull();
      assertThat(out.live).isZero();
    }
  }

  private final Recorder out = new Recorder();
  private DeliveryStateMachine<String> m =
      new DeliveryStateMachine<>(out, 100, 1_000_000, OverflowPolicy.DROP_OLDEST);

  @AfterEach
  void noLeaks() {
    m.close();
    assertThat(out.live).as("references still held after close").isZero();
  }

  private void offer(String... packets) {
    for (String p : packets) {
      m.offer(out.packet(p));
    }
  }

  @Nested
  class Rule1PacketArrives {
    @Test
    void sentAtOnceWhenNothingInFlight() {
      offer("a");
      assertThat(out.written).containsExactly("a");
      assertThat(m.inFlight()).isTrue();
    }

    @Test
    void waitsInQueueWhileOneIsInFlight() {
      offer("a", "b", "c");
      assertThat(out.written).containsExactly("a");
      assertThat(m.queued()).isEqualTo(2);
    }
  }

  @Nested
  class Rule2Ack {
    @Test
    void sendsTheHeadOfTheQueueInOrder() {
      offer("a", "b", "c");
      m.ack();
      assertThat(out.written).containsExactly("a", "b");
      m.ack();
      assertThat(out.written).containsExactly("a", "b", "c");
      assertThat(m.inFlight()).isTrue();
    }

    @Test
    void onEmptyQueueTheNextArrivalIsSentAtOnce() {
      offer("a");
      m.ack();
      assertThat(m.inFlight()).isFalse();
      offer("b");
      assertThat(out.written).containsExactly("a", "b");
    }

    @Test
    void releasesTheKeptPacket() {
      m.buffering(true);
      offer("a");
      assertThat(m.hasKept()).isTrue();
      m.ack();
      assertThat(m.hasKept()).isFalse();
      m.get();
      assertThat(out.written).containsExactly("a");
    }
  }

  @Nested
  class Rule3AckWithNothingInFlight {
    @Test
    void isANoOp() {
      m.ack();
      m.ack();
      assertThat(m.inFlight()).isFalse();
      assertThat(out.written).isEmpty();
      offer("a", "b");
      assertThat(out.written).containsExactly("a"); // the stray acks opened no wider window
    }
  }

  @Nested
  class Rule4Get {
    @Test
    void resendsTheKeptPacketAsOftenAsAsked() {
      m.buffering(true);
      offer("a", "b");
      m.get();
      m.get();
      assertThat(out.written).containsExactly("a", "a", "a");
      assertThat(m.inFlight()).isTrue();
      assertThat(m.queued()).as("get is not an ack").isEqualTo(1);
    }

    @Test
    void sendsNothingWithoutBuffering() {
      offer("a");
      m.get();
      assertThat(out.written).containsExactly("a");
    }

    @Test
    void sendsNothingWhenNothingIsKept() {
      m.buffering(true);
      m.get();
      assertThat(out.written).isEmpty();
    }
  }

  @Nested
  class Buffering {
    @Test
    void turningOnDoesNotKeepThePacketAlreadyInFlight() {
      offer("a");
      m.buffering(true);
      m.get();
      assertThat(out.written).containsExactly("a");
      m.ack();
      offer("b");
      m.get();
      assertThat(out.written).containsExactly("a", "b", "b");
    }

    @Test
    void turningOffDropsTheKeptPacket() {
      m.buffering(true);
      offer("a");
      m.buffering(false);
      assertThat(m.hasKept()).isFalse();
      m.buffering(true);
      m.get();
      assertThat(out.written).containsExactly("a");
    }
  }

  @Nested
  class Fastpush {
    @Test
    void sendsEveryPacketOnArrivalWithoutAcks() {
      m.fastpush(true);
      offer("a", "b", "c");
      assertThat(out.written).containsExactly("a", "b", "c");
      assertThat(m.inFlight()).isTrue();
    }

    @Test
    void turningOnSendsEverythingQueued() {
      offer("a", "b", "c");
      m.fastpush(true);
      assertThat(out.written).containsExactly("a", "b", "c");
      assertThat(m.queued()).isZero();
    }

    @Test
    void turningOffWithAnUnackedSendWaitsForTheNextAck() {
      m.fastpush(true);
      offer("a");
      m.fastpush(false);
      offer("b");
      assertThat(out.written).containsExactly("a");
      m.ack();
      assertThat(out.written).containsExactly("a", "b");
    }

    @Test
    void withBufferingTheKeptPacketIsTheLastSent() {
      m.fastpush(true);
      m.buffering(true);
      offer("a", "b", "c");
      m.get();
      assertThat(out.written).containsExactly("a", "b", "c", "c");
      m.ack();
      assertThat(m.hasKept()).isFalse();
    }
  }

  @Nested
  class Backpressure {
    @Test
    void holdsPacketsWhileTheSocketIsNotWritable() {
      m.fastpush(true);
      m.writable(false);
      offer("a", "b");
      assertThat(out.written).isEmpty();
      m.writable(true);
      assertThat(out.written).containsExactly("a", "b");
    }
  }

  @Nested
  class Bounds {
    @Test
    void dropOldestKeepsTheFreshest() {
      m = new DeliveryStateMachine<>(out, 2, 1_000, OverflowPolicy.DROP_OLDEST);
      offer("a", "b", "c", "d");
      m.ack();
      m.ack();
      assertThat(out.written).containsExactly("a", "c", "d");
      assertThat(m.dropped()).isEqualTo(1);
      assertThat(out.dropped).containsExactly("b");
    }

    @Test
    void dropNewestKeepsThePrefix() {
      m = new DeliveryStateMachine<>(out, 2, 1_000, OverflowPolicy.DROP_NEWEST);
      offer("a", "b", "c", "d");
      m.ack();
      m.ack();
      assertThat(out.written).containsExactly("a", "b", "c");
      assertThat(m.dropped()).isEqualTo(1);
      assertThat(out.dropped).containsExactly("d");
    }

    @Test
    void byteBoundCountsQueuedBytes() {
      m = new DeliveryStateMachine<>(out, 100, 6, OverflowPolicy.DROP_NEWEST);
      offer("xx", "aaa", "bbb", "ccc");
      assertThat(m.queuedBytes()).isEqualTo(6);
      assertThat(m.dropped()).isEqualTo(1);
    }

    @Test
    void disconnectPolicyIsReported() {
      m = new DeliveryStateMachine<>(out, 1, 1_000, OverflowPolicy.DISCONNECT);
      offer("a", "b", "c");
      assertThat(out.disconnect).isTrue();
    }
  }

  @Nested
  class Rule8Resume {
    @Test
    void theUnackedPacketIsSentAgainFirstThenTheQueue() {
      offer("a", "b");
      m.writable(false); // the connection went
      offer("c");
      assertThat(out.written).containsExactly("a");
      m.resume(true);
      assertThat(out.written).as("a again; b waits for a's ack").containsExactly("a", "a");
      m.ack();
      m.ack();
      assertThat(out.written).containsExactly("a", "a", "b", "c");
      assertThat(out.acked).containsExactly("a", "b");
      assertThat(m.sent()).isEqualTo(4);
    }

    @Test
    void whileNotWritableNothingIsSentAndResumeLater() {
      offer("a");
      m.writable(false);
      m.resume(false);
      assertThat(out.written).containsExactly("a");
      m.resume(true);
      assertThat(out.written).containsExactly("a", "a");
    }

    @Test
    void inFastPushTheQueueDrainsAndNothingIsSentAgain() {
      m.fastpush(true);
      m.writable(false);
      offer("a", "b");
      m.resume(true);
      assertThat(out.written).containsExactly("a", "b");
      assertThat(out.delivered).containsExactly("a", "b");
    }
  }

  @Nested
  class OfferResult {
    @Test
    void tellsWhetherThePacketWasTaken() {
      m = new DeliveryStateMachine<>(out, 1, 1_000, OverflowPolicy.DROP_NEWEST);
      assertThat(m.offer(out.packet("a"))).isTrue(); // sent
      assertThat(m.offer(out.packet("b"))).isTrue(); // queued
      assertThat(m.offer(out.packet("c"))).isFalse(); // dropped
    }

    @Test
    void turningFastPushOnCountsTheInFlightPacketAsDelivered() {
      offer("a");
      m.fastpush(true);
      assertThat(out.delivered).containsExactly("a");
      assertThat(out.acked).isEmpty();
    }
  }

  @Test
  void closeReleasesEverythingAndLaterOffersAreFreed() {
    m.buffering(true);
    offer("a", "b", "c");
    m.close();
    offer("d");
    assertThat(out.live).isZero();
  }
}
