package io.qmsgbus.store;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

/**
 * Prints the segment log's figures on this machine: confirmed appends per second per fsync policy
 * (4 appenders, each waiting for its confirm with up to 64 outstanding, as publishers with confirms
 * do), recovery time with N queued packets, and bytes on disk per packet. Rounds interleave the
 * policies; medians and spread. Not a test: run with {@code java -cp <test classpath>
 * io.qmsgbus.store.StoreBench [rounds] [queued]}.
 */
public final class StoreBench {

  private StoreBench() {}

  /** The sync times of the last {@link #appendRate} run's store (RocksStoreBench prints them). */
  static volatile StoreStats lastStats = new StoreStats();

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int queued = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    FsyncPolicy[] policies = FsyncPolicy.values();
    double[][] rates = new double[policies.length][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int p = 0; p < policies.length; p++) {
        rates[p][r] =
            appendRate(
                policies[p], 1024, policies[p] == FsyncPolicy.ALWAYS ? 20_000 : 100_000, false);
      }
    }
    for (int p = 0; p < policies.length; p++) {
      System.out.printf(
          "append 1 KiB, fsync=%-8s median %,10.0f/s  (min %,.0f, max %,.0f)%n",
          policies[p], median(rates[p]), min(rates[p]), max(rates[p]));
    }
    double[] recover = new double[rounds];
    double bytesPer = 0;
    for (int r = 0; r < rounds; r++) {
      double[] rec = recoverOnce(queued);
      recover[r] = rec[0];
      bytesPer = rec[1];
    }
    System.out.printf(
        "recover %,d queued 100 B packets: median %,.0f ms (min %,.0f, max %,.0f); %.1f bytes on disk per packet%n",
        queued, median(recover), min(recover), max(recover), bytesPer);
  }

  /**
   * Writes {@code queued} 100 B packets to one session's queue (fsync=never), closes, and times
   * opening and recovering them. Returns {milliseconds, bytes on disk per packet}. Also used by
   * {@link RocksStoreBench}.
   */
  static double[] recoverOnce(int queued) throws Exception {
    Path dir = Files.createTempDirectory("qmsgbus-bench");
    SegmentLogStore s =
        SegmentLogStore.open(new StoreOptions(dir, FsyncPolicy.NEVER, 100, 64L << 20));
    s.recover(ByteBufAllocator.DEFAULT);
    s.saveSession(new StoredSession("bench", null, List.of("x"), false, false, false, 3600, 0));
    byte[] body = new byte[100];
    for (int i = 0; i < queued; i++) {
      Message m = Message.of("x", Unpooled.wrappedBuffer(body), 1, i, null, ByteAccount.NONE);
      s.enqueue("bench", m);
      m.release();
    }
    s.close();
    double bytesPer = (double) size(dir) / queued;
    long t0 = System.nanoTime();
    SegmentLogStore again =
        SegmentLogStore.open(new StoreOptions(dir, FsyncPolicy.NEVER, 100, 64L << 20));
    Recovery rec = again.recover(ByteBufAllocator.DEFAULT);
    double ms = (System.nanoTime() - t0) / 1e6;
    rec.sessions().forEach(x -> x.queue().forEach(m -> m.payload().release()));
    again.close();
    delete(dir);
    return new double[] {ms, bytesPer};
  }

  /**
   * Confirmed appends per second: 4 appenders, each with up to 64 unconfirmed. With {@code ack},
   * each packet is removed again (acked) as soon as its confirm runs, as a consumer that keeps up
   * would. Also used by {@link RocksStoreBench}.
   */
  static double appendRate(FsyncPolicy policy, int size, int count, boolean ack) throws Exception {
    Path dir = Files.createTempDirectory("qmsgbus-bench");
    SegmentLogStore s = SegmentLogStore.open(new StoreOptions(dir, policy, 100, 64L << 20));
    s.recover(ByteBufAllocator.DEFAULT);
    s.saveSession(new StoredSession("bench", null, List.of("x"), false, false, false, 3600, 0));
    byte[] body = new byte[size];
    int threads = 4;
    CountDownLatch done = new CountDownLatch(count);
    long t0 = System.nanoTime();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th =
          new Thread(
              () -> {
                Semaphore window = new Semaphore(64);
                for (int i = 0; i < count / threads; i++) {
                  window.acquireUninterruptibly();
                  Message m =
                      Message.of("x", Unpooled.wrappedBuffer(body), 1, i, null, ByteAccount.NONE);
                  long key = s.enqueue("bench", m);
                  m.release();
                  s.whenDurable(
                      () -> {
                        if (ack) {
                          s.remove("bench", key);
                        }
                        window.release();
                        done.countDown();
                      });
                }
              });
      th.start();
      ts.add(th);
    }
    done.await();
    double rate = count / ((System.nanoTime() - t0) / 1e9);
    for (Thread th : ts) {
      th.join();
    }
    lastStats = s.stats();
    s.close();
    delete(dir);
    return rate;
  }

  private static long size(Path dir) throws Exception {
    try (Stream<Path> f = Files.list(dir)) {
      return f.filter(p -> p.toString().endsWith(".log")).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void delete(Path dir) throws Exception {
    try (Stream<Path> f = Files.list(dir)) {
      for (Path p : (Iterable<Path>) f::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  static double min(double[] v) {
    return Arrays.stream(v).min().orElse(0);
  }

  static double max(double[] v) {
    return Arrays.stream(v).max().orElse(0);
  }
}
