package io.qmsgbus.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.transport.BusServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * One receiver that never reads while a publisher floods: the server's memory for it must level off
 * at the configured queue bound. Prints the samples; the README quotes them. Length: system
 * property {@code qmsgbus.flood.seconds} (default 8; the README's figures use 30).
 */
class SlowConsumerMemoryIT {

  private static final long QUEUE_BYTES = 8L << 20;

  @Test
  void memoryPlateausAtTheQueueBound() throws Exception {
    int seconds = Integer.getInteger("qmsgbus.flood.seconds", 8);
    ServerConfig cfg =
        ServerConfig.defaults()
            .withPort(0)
            .withMaxQueuePackets(1_000_000)
            .withMaxQueueBytes(QUEUE_BYTES);
    try (BusServer server = BusServer.start(cfg);
        RawWebSocket stuck = RawWebSocket.connect(server.port()).autoReply(false);
        RawWebSocket flood = RawWebSocket.connect(server.port()).autoReply(false)) {
      stuck.upgrade();
      stuck.frame(
          0x81, "{\"register\":\"flood\",\"fastpush\":true}".getBytes(StandardCharsets.UTF_8));
      await()
          .atMost(5, TimeUnit.SECONDS)
          .until(() -> server.router().receiverCounts().containsKey("flood"));
      // ... and from here on, never reads a byte
      flood.upgrade();
      byte[] packet =
          ("{\"skill\":\"flood\",\"p\":\"" + "x".repeat(10_000) + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Void> publisher =
          CompletableFuture.runAsync(
              () -> {
                for (long i = 0; i < 100_000_000L && !stop.get(); i++) {
                  flood.frame(0x82, packet);
                }
              });
      // first the kernel's socket buffers fill, then the queue, up to its bound: from then on,
      // drop-oldest must hold memory level however long the flood goes on
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> server.metrics().packetsDropped.sum() > 0 || publisher.isDone());
      List<long[]> samples = new ArrayList<>(); // seconds, queued bytes, direct memory, packets in
      long t0 = System.nanoTime();
      for (int s = 1; s <= seconds; s++) {
        long due = t0 + TimeUnit.SECONDS.toNanos(s);
        await().atMost(Duration.ofSeconds(2)).until(() -> System.nanoTime() >= due);
        samples.add(
            new long[] {
              s,
              server.budget().used(),
              ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT)
                  .metric()
                  .usedDirectMemory(),
              server.metrics().packetsIn.sum()
            });
      }
      stop.set(true);
      publisher.get(30, TimeUnit.SECONDS);

      System.out.println(
          "slow consumer flood: 10 kB packets, receiver never reads, maxQueueBytes="
              + QUEUE_BYTES
              + "; seconds counted from the first drop");
      System.out.println("  second   queued-bytes   direct-memory   packets-in");
      for (long[] x : samples) {
        System.out.printf("  %6d %14d %15d %12d%n", x[0], x[1], x[2], x[3]);
      }
      System.out.printf("  dropped by drop-oldest: %d%n", server.metrics().packetsDropped.sum());

      assertThat(samples.get(samples.size() - 1)[3])
          .as("the publisher kept being served")
          .isGreaterThan(samples.get(0)[3]);
      for (long[] x : samples) {
        // the budget counts every message held: the queue, plus the one awaiting its ack and the
        // one being routed at that instant (10 kB each)
        assertThat(x[1])
            .as("held bytes at second " + x[0])
            .isLessThanOrEqualTo(QUEUE_BYTES + 2 * 10_240 + 512);
      }
      long maxDirect = samples.stream().mapToLong(x -> x[2]).max().orElseThrow();
      assertThat(maxDirect)
          .as("direct memory levels off: the queue bound plus the outbound buffer and pool chunks")
          .isLessThan(QUEUE_BYTES + (32L << 20));
      assertThat(server.metrics().packetsDropped.sum()).isGreaterThan(0);
    }
  }
}
