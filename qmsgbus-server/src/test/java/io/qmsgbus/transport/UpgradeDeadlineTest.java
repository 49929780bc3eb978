package io.qmsgbus.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link UpgradeDeadline} on an embedded channel whose clock only moves when the test moves it: one
 * test per rule it enforces.
 */
class UpgradeDeadlineTest {

  private static final long TIMEOUT_MS = 1_000;

  private final MockTicker clock = Ticker.newMockTicker();
  private EmbeddedChannel ch;
  private final List<Object> passedOn = new CopyOnWriteArrayList<>();

  /** What the deadline handler passed on to the rest of the pipeline. */
  private final class Events extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      passedOn.add("active");
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      passedOn.add("inactive");
      ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      passedOn.add(evt);
      ctx.fireUserEventTriggered(evt);
    }
  }

  @BeforeEach
  void connect() throws Exception {
    ch = EmbeddedChannel.builder().register(false).ticker(clock).build();
    ch.pipeline().addLast(new UpgradeDeadline(TIMEOUT_MS), new Events());
    ch.register(); // the connection opens now
  }

  @AfterEach
  void finish() {
    ch.finishAndReleaseAll();
  }

  /** Moves the channel's clock on by {@code millis} and runs what has come due. */
  private void after(long millis) {
    clock.advance(millis, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.runPendingTasks();
  }

  private static WebSocketServerProtocolHandler.HandshakeComplete handshakeComplete() {
    return new WebSocketServerProtocolHandler.HandshakeComplete(
        "/", EmptyHttpHeaders.INSTANCE, null);
  }

  @Test
  void aConnectionNotUpgradedByTheDeadlineIsClosedThenAndNotBefore() {
    assertThat(passedOn).containsExactly("active");
    after(TIMEOUT_MS - 1);
    assertThat(ch.isOpen()).isTrue();
    after(1);
    assertThat(ch.isOpen()).isFalse();
    assertThat(passedOn).containsExactly("active", "inactive");
  }

  @Test
  void addedToAConnectedChannelTheDeadlineRunsFromThen() {
    MockTicker itsClock = Ticker.newMockTicker();
    EmbeddedChannel connected = EmbeddedChannel.builder().ticker(itsClock).build();
    try {
      itsClock.advance(10, TimeUnit.SECONDS); // connected long ago, e.g. a TLS handshake
      connected.pipeline().addLast(new UpgradeDeadline(TIMEOUT_MS));
      itsClock.advance(TIMEOUT_MS - 1, TimeUnit.MILLISECONDS);
      connected.runScheduledPendingTasks();
      assertThat(connected.isOpen()).isTrue();
      itsClock.advance(1, TimeUnit.MILLISECONDS);
      connected.runScheduledPendingTasks();
      connected.runPendingTasks();
      assertThat(connected.isOpen()).isFalse();
    } finally {
      connected.finishAndReleaseAll();
    }
  }

  @Test
  void theHandshakeCompletingCancelsTheDeadlineRemovesTheHandlerAndIsPassedOn() {
    after(TIMEOUT_MS / 2);
    WebSocketServerProtocolHandler.HandshakeComplete done = handshakeComplete();
    ch.pipeline().fireUserEventTriggered(done);
    assertThat(passedOn).containsExactly("active", done);
    assertThat(ch.pipeline().get(UpgradeDeadline.class)).isNull();
    assertThat(ch.runScheduledPendingTasks()).as("no deadline left").isEqualTo(-1);
    after(10 * TIMEOUT_MS);
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void otherEventsArePassedOnAndLeaveTheDeadlineRunning() {
    Object other = "some other event";
    ch.pipeline().fireUserEventTriggered(other);
    assertThat(passedOn).containsExactly("active", other);
    assertThat(ch.pipeline().get(UpgradeDeadline.class)).isNotNull();
    after(TIMEOUT_MS);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void theConnectionGoingInactiveBeforeTheDeadlineCancelsIt() {
    after(TIMEOUT_MS / 2);
    // the event alone: closing an embedded channel would also drop its scheduled tasks itself
    ch.pipeline().fireChannelInactive();
    assertThat(passedOn).containsExactly("active", "inactive");
    assertThat(ch.runScheduledPendingTasks()).as("no deadline left").isEqualTo(-1);
  }

  @Test
  void removingTheHandlerCancelsTheDeadline() {
    ch.pipeline().remove(UpgradeDeadline.class);
    assertThat(ch.runScheduledPendingTasks()).as("no deadline left").isEqualTo(-1);
    after(10 * TIMEOUT_MS);
    assertThat(ch.isOpen()).isTrue();
  }
}
