package io.qmsgbus.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.qmsgbus.metrics.BusMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ConnectionLimiter} on embedded channels: one test per rule it enforces. */
class ConnectionLimiterTest {

  private static final InetSocketAddress A = address("10.0.0.1");
  private static final InetSocketAddress B = address("10.0.0.2");

  private final BusMetrics metrics = new BusMetrics();
  private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final List<EmbeddedChannel> channels = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private static InetSocketAddress address(String ip) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), 40_000);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the limiter passed on to the rest of the pipeline. */
  private static final class Events extends ChannelInboundHandlerAdapter {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      seen.add("active");
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      seen.add("inactive");
      ctx.fireChannelInactive();
    }
  }

  /** A connection from {@code remote} (null: the embedded channel's own, not an IP address). */
  private EmbeddedChannel connect(SocketAddress remote, int max, int maxPerAddress, Events events)
      throws Exception {
    EmbeddedChannel ch =
        new EmbeddedChannel(/* register */ false, /* hasDisconnect */ false) {
          @Override
          protected SocketAddress remoteAddress0() {
            return remote != null ? remote : super.remoteAddress0();
          }
        };
    ch.pipeline()
        .addLast(new ConnectionLimiter(metrics, max, maxPerAddress, perAddress))
        .addLast(events);
    ch.register(); // active: channelActive goes through the limiter
    ch.runPendingTasks();
    channels.add(ch);
    return ch;
  }

  private EmbeddedChannel connect(SocketAddress remote, int max, int maxPerAddress)
      throws Exception {
    return connect(remote, max, maxPerAddress, new Events());
  }

  @Test
  void aConnectionWithinTheLimitsIsCountedAndPassedOn() throws Exception {
    Events events = new Events();
    EmbeddedChannel ch = connect(A, 2, 2, events);
    assertThat(ch.isOpen()).isTrue();
    assertThat(events.seen).containsExactly("active");
    assertThat(metrics.connections.get()).isEqualTo(1);
    assertThat(metrics.connectionsTotal.sum()).isEqualTo(1);
    assertThat(metrics.connectionsRefused.sum()).isZero();
    assertThat(perAddress.get(A.getAddress())).hasValue(1);
  }

  @Test
  void aConnectionOverMaxConnectionsIsClosedCountedAsRefusedAndNotPassedOn() throws Exception {
    connect(A, 2, 10);
    connect(B, 2, 10);
    Events events = new Events();
    EmbeddedChannel third = connect(address("10.0.0.3"), 2, 10, events);
    assertThat(third.isOpen()).isFalse();
    assertThat(events.seen).as("neither active nor inactive reaches the pipeline").isEmpty();
    assertThat(metrics.connections.get()).isEqualTo(2);
    assertThat(metrics.connectionsTotal.sum()).isEqualTo(2);
    assertThat(metrics.connectionsRefused.sum()).isEqualTo(1);
    assertThat(perAddress).doesNotContainKey(address("10.0.0.3").getAddress());
  }

  @Test
  void aConnectionOverMaxConnectionsPerAddressIsRefusedAndOtherAddressesAreNot() throws Exception {
    EmbeddedChannel first = connect(A, 10, 1);
    Events events = new Events();
    EmbeddedChannel second = connect(A, 10, 1, events);
    EmbeddedChannel other = connect(B, 10, 1);
    assertThat(first.isOpen()).isTrue();
    assertThat(second.isOpen()).isFalse();
    assertThat(events.seen).isEmpty();
    assertThat(other.isOpen()).isTrue();
    assertThat(metrics.connections.get()).isEqualTo(2);
    assertThat(metrics.connectionsRefused.sum()).isEqualTo(1);
    assertThat(perAddress.get(A.getAddress())).hasValue(1);
    assertThat(perAddress.get(B.getAddress())).hasValue(1);
  }

  @Test
  void aConnectionRefusedPerAddressLeavesNoEntryForItsAddress() throws Exception {
    EmbeddedChannel refused = connect(A, 10, 0);
    assertThat(refused.isOpen()).isFalse();
    assertThat(metrics.connectionsRefused.sum()).isEqualTo(1);
    assertThat(metrics.connections.get()).isZero();
    assertThat(perAddress).isEmpty();
  }

  @Test
  void closingACountedConnectionUncountsItLeavesNoEntryAndIsPassedOn() throws Exception {
    Events events = new Events();
    EmbeddedChannel a1 = connect(A, 10, 10, events);
    EmbeddedChannel a2 = connect(A, 10, 10);
    a1.close();
    assertThat(events.seen).containsExactly("active", "inactive");
    assertThat(metrics.connections.get()).isEqualTo(1);
    assertThat(perAddress.get(A.getAddress())).hasValue(1);
    a2.close();
    assertThat(metrics.connections.get()).isZero();
    assertThat(perAddress).as("no entry left behind per address ever seen").isEmpty();
    assertThat(metrics.connectionsTotal.sum()).isEqualTo(2);
  }

  @Test
  void closingARefusedConnectionDoesNotUncountTheOthers() throws Exception {
    connect(A, 1, 10);
    Events events = new Events();
    EmbeddedChannel refused = connect(B, 1, 10, events);
    refused.close();
    assertThat(events.seen).isEmpty();
    assertThat(metrics.connections.get()).isEqualTo(1);
    assertThat(perAddress.get(A.getAddress())).hasValue(1);
  }

  @Test
  void aPeerWithoutAnIpAddressCountsOnlyTowardsTheServerWideLimit() throws Exception {
    // maxConnectionsPerAddress 0 would refuse any IP peer; this one has no address to count
    EmbeddedChannel ch = connect(null, 1, 0);
    assertThat(ch.isOpen()).isTrue();
    assertThat(perAddress).isEmpty();
    assertThat(metrics.connections.get()).isEqualTo(1);
    EmbeddedChannel second = connect(null, 1, 0);
    assertThat(second.isOpen()).as("the server-wide limit still applies").isFalse();
    ch.close();
    assertThat(metrics.connections.get()).isZero();
  }
}
