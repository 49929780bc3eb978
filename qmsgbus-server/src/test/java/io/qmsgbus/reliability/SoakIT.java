package io.qmsgbus.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.transport.BusServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Churn under load, bounded and on loopback: a steady publisher, receivers that stay for the whole
 * run in ACK mode, and clients that connect, register, receive, ack and vanish (abruptly or not).
 * Then: nothing left behind, and the receivers that stayed got every packet exactly once, in order.
 * Length: system property {@code qmsgbus.soak.seconds} (default 15; 60 in the README).
 */
class SoakIT {

  @Test
  void churnLeavesNothingBehindAndStayersGetEverythingOnceInOrder() throws Exception {
    int seconds = Integer.getInteger("qmsgbus.soak.seconds", 15);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    // queues big enough that a stayer slowed by a loaded machine catches up rather than loses
    ServerConfig cfg = ServerConfig.defaults().withPort(0).withMaxQueuePackets(1_000_000);
    try (BusServer server = BusServer.start(cfg)) {
      long heapBefore = usedHeapAfterGc();
      List<RawWebSocket> stayers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RawWebSocket p = RawWebSocket.open(server.port());
        p.control("{\"register\":[\"soak\",\"other\"],\"id\":1}");
        stayers.add(p);
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      AtomicLong published = new AtomicLong();
      AtomicLong churned = new AtomicLong();
      List<Future<List<Long>>> stayerResults = new ArrayList<>();
      try {
        Future<?> publisher =
            pool.submit(
                () -> {
                  try (RawWebSocket tx = RawWebSocket.open(server.port())) {
                    long start = System.nanoTime();
                    for (long n = 1; System.nanoTime() < deadline && n < 10_000_000; n++) {
                      tx.sendBinary("{\"skill\":\"soak\",\"n\":" + n + "}");
                      published.set(n);
                      // a steady 500 packets/s: load pacing, not synchronisation
                      LockSupport.parkNanos(start + n * 2_000_000L - System.nanoTime());
                    }
                  }
                  return null;
                });
        for (RawWebSocket p : stayers) {
          stayerResults.add(
              pool.submit(
                  () -> receiveAndAck(p, deadline + TimeUnit.SECONDS.toNanos(30), published)));
        }
        List<Future<?>> churners = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
          churners.add(pool.submit(() -> churn(server.port(), deadline, churned)));
        }
        publisher.get(seconds + 30L, TimeUnit.SECONDS);
        for (Future<?> f : churners) {
          f.get(seconds + 30L, TimeUnit.SECONDS);
        }
        long total = published.get();
        for (Future<List<Long>> f : stayerResults) {
          List<Long> got = f.get(60, TimeUnit.SECONDS);
          assertThat(got).as("exactly once, in order").hasSize((int) total);
          for (int i = 0; i < got.size(); i++) {
            if (got.get(i) != i + 1) {
              throw new AssertionError("packet " + (i + 1) + " arrived as " + got.get(i));
            }
          }
        }
      } finally {
        stayers.forEach(RawWebSocket::close);
        pool.shutdownNow();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> server.sessionCount() == 0);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.router().receiverCounts().isEmpty());
      await().atMost(Duration.ofSeconds(20)).until(() -> server.metrics().connections.get() == 0);
      assertThat(server.budget().used()).isZero();
      long heapAfter = usedHeapAfterGc();
      System.out.printf(
          "soak: %ds, published=%d, churned clients=%d, delivered=%d, sessions after=%d,"
              + " registrations after=%d, heap before=%d MB after=%d MB%n",
          seconds,
          published.get(),
          churned.get(),
          server.metrics().packetsDelivered.sum(),
          server.sessionCount(),
          server.router().receiverCounts().size(),
          heapBefore >> 20,
          heapAfter >> 20);
      assertThat(churned.get()).isGreaterThan(10);
      assertThat(heapAfter).as("heap back near baseline").isLessThan(heapBefore + (64L << 20));
    }
  }

  private static List<Long> receiveAndAck(RawWebSocket p, long until, AtomicLong published) {
    List<Long> got = new ArrayList<>();
    while (System.nanoTime() < until) {
      byte[] b = p.pollBinary(Duration.ofMillis(200));
      if (b == null) {
        if (!got.isEmpty() && got.get(got.size() - 1) >= published.get() && published.get() > 0) {
          // caught up; the publisher may still be running, so look again unless it is done
          if (p.pending(RawWebSocket.BINARY) == 0 && got.size() == published.get()) {
            break;
          }
        }
        continue;
      }
      String s = new String(b, StandardCharsets.UTF_8);
      got.add(Long.parseLong(s.substring(s.indexOf("\"n\":") + 4, s.length() - 1)));
      p.sendText("{\"ack\":\"\"}");
    }
    return got;
  }

  private static Void churn(int port, long deadline, AtomicLong churned) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (int i = 0; i < 100_000 && System.nanoTime() < deadline; i++) {
      RawWebSocket c = RawWebSocket.open(port);
      c.sendText(
          "{\"register\":[\"soak\",\"c"
              + rnd.nextInt(50)
              + "\"],\"buffering\":"
              + rnd.nextBoolean()
              + ",\"fastpush\":"
              + rnd.nextBoolean()
              + "}");
      for (int k = rnd.nextInt(5); k > 0; k--) {
        if (c.pollBinary(Duration.ofMillis(100)) != null) {
          c.sendText(rnd.nextBoolean() ? "{\"ack\":\"\"}" : "{\"get\":\"\"}");
        }
      }
      if (rnd.nextBoolean()) {
        c.abort(); // vanish mid-stream, no close frame
      } else {
        c.close();
      }
      churned.incrementAndGet();
    }
    return null;
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
