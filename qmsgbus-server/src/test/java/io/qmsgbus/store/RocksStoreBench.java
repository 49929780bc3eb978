package io.qmsgbus.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB against our segment log, on StoreBench's workload, in one run with the two interleaved
 * (each round runs every measurement of both, and odd rounds run them in reverse order, so
 * background load hits both alike). Prints a table: median (min–max) per store and rocks/ours.
 *
 * <p>The workload is {@link StoreBench#appendRate}: 4 appenders, 1 KiB payloads, each waiting for
 * its confirm with up to 64 outstanding; with "+ ack" each packet is acked as soon as it is
 * confirmed. On RocksDB (default options, one column family) an enqueue is one {@link WriteBatch}
 * of a put of the message ({@code 'm' + key -> skill + payload}) and a put of the session's queue
 * entry ({@code 'q' + session + 0 + position -> key}); an ack deletes both. Modes:
 *
 * <ul>
 *   <li>{@code sync=true each}: every appender writes its batch itself with {@code sync=true} and
 *       is confirmed when the call returns (RocksDB groups concurrent writers into one WAL sync);
 *       acks are written with {@code sync=false}, so the next synced write syncs them, as our
 *       REMOVE records ride on the next batch.
 *   <li>{@code group, sync=true}: as our log does it: appenders add their puts to one shared
 *       pending {@link WriteBatch} under one lock and return; one writer thread takes the whole
 *       batch, writes it with {@code sync=true}, then runs the confirms that waited for it.
 *   <li>{@code sync=false each} and {@code group, sync=false}: the same without sync, the
 *       equivalent of {@code fsync = never} (in the OS, survives kill -9, not a power loss).
 * </ul>
 *
 * <p>Recovery: N queued 100 B packets (random bytes, one per packet, so RocksDB's default Snappy
 * compression gains nothing our log could not), written with {@code sync=false}, closed; then
 * timed: open and read every queue entry in order with its message (a point lookup each). Twice: as
 * closed (the data in the WAL, replayed on open, as after a crash) and after a flush (the data in
 * SST files, as after a long run). Bytes on disk: WAL + SST + MANIFEST (not the info LOG).
 *
 * <p>Not a test: run with {@code java -cp <server test classpath> io.qmsgbus.store.RocksStoreBench
 * [rounds] [queued]}.
 */
public final class RocksStoreBench {

  private RocksStoreBench() {}

  private static final byte[] SESSION = "bench".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SKILL = "x".getBytes(StandardCharsets.UTF_8);

  /** How RocksDB is written. */
  enum Mode {
    SYNC_EACH("sync=true each", true, false),
    GROUP_SYNC("group, sync=true", true, true),
    NOSYNC_EACH("sync=false each", false, false),
    GROUP_NOSYNC("group, sync=false", false, true);

    final String label;
    final boolean sync;
    final boolean group;

    Mode(String label, boolean sync, boolean group) {
      this.label = label;
      this.sync = sync;
      this.group = group;
    }
  }

  /** One measurement, run once per round; {@code div} divides its packet count (warm-up). */
  private interface Job {
    double run(int div) throws Exception;
  }

  /**
   * The syncs of the last rate run, for the round lines: {syncs (group commit: synced writes),
   * their seconds, packets}; zeros where not counted.
   */
  private static volatile double[] lastSyncs = new double[3];

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int queued = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    RocksDB.loadLibrary();
    // packets per run: RocksDB with a sync per write is slow and steady, so fewer there
    int syncCount = 50_000;
    int syncEachCount = 10_000;
    int noSyncCount = 200_000;
    Map<String, Job> jobs = new LinkedHashMap<>();
    double[] bytes = new double[3];
    for (boolean ack : new boolean[] {false, true}) {
      String a = ack ? " + ack" : "";
      jobs.put("ours always" + a, div -> ours(FsyncPolicy.ALWAYS, syncCount / div, ack));
      jobs.put(
          "rocks " + Mode.SYNC_EACH.label + a,
          div -> rate(Mode.SYNC_EACH, syncEachCount / div, ack));
      jobs.put(
          "rocks " + Mode.GROUP_SYNC.label + a, div -> rate(Mode.GROUP_SYNC, syncCount / div, ack));
      jobs.put("ours never" + a, div -> ours(FsyncPolicy.NEVER, noSyncCount / div, ack));
      jobs.put(
          "rocks " + Mode.NOSYNC_EACH.label + a,
          div -> rate(Mode.NOSYNC_EACH, noSyncCount / div, ack));
      jobs.put(
          "rocks " + Mode.GROUP_NOSYNC.label + a,
          div -> rate(Mode.GROUP_NOSYNC, noSyncCount / div, ack));
    }
    jobs.put(
        "ours recover",
        div -> {
          double[] r = StoreBench.recoverOnce(queued / div);
          bytes[0] = r[1];
          return r[0];
        });
    jobs.put(
        "rocks recover WAL",
        div -> {
          double[] r = recoverOnce(queued / div, false);
          bytes[1] = r[1];
          return r[0];
        });
    jobs.put(
        "rocks recover SST",
        div -> {
          double[] r = recoverOnce(queued / div, true);
          bytes[2] = r[1];
          return r[0];
        });

    // warm-up (not counted): every job once with a tenth of the packets, so neither store is
    // measured with a cold JIT
    for (Job j : jobs.values()) {
      j.run(10);
    }
    Map<String, double[]> results = new LinkedHashMap<>();
    jobs.keySet().forEach(k -> results.put(k, new double[rounds]));
    List<String> order = new ArrayList<>(jobs.keySet());
    for (int r = 0; r < rounds; r++) {
      List<String> thisRound = new ArrayList<>(order);
      if (r % 2 == 1) {
        Collections.reverse(thisRound);
      }
      for (String name : thisRound) {
        lastSyncs = new double[3];
        double v = jobs.get(name).run(1);
        results.get(name)[r] = v;
        double[] syncs = lastSyncs;
        String info =
            syncs[0] > 0
                ? String.format(
                    "   %,8.0f syncs, %.2f ms each, %.1f packets each",
                    syncs[0], syncs[1] * 1e3 / syncs[0], syncs[2] / syncs[0])
                : "";
        System.out.printf("round %d  %-30s %,12.0f%s%n", r + 1, name, v, info);
      }
    }

    System.out.println();
    System.out.printf(
        "| measurement | ours, median (min – max) | RocksDB, median (min – max) | rocks/ours |%n");
    System.out.printf("| --- | --- | --- | --- |%n");
    for (String a : new String[] {"", " + ack"}) {
      row(results, "confirmed appends/s, sync" + a, "ours always" + a, "rocks sync=true each" + a);
      row(
          results,
          "confirmed appends/s, sync" + a,
          "ours always" + a,
          "rocks group, sync=true" + a);
      row(
          results,
          "confirmed appends/s, no sync" + a,
          "ours never" + a,
          "rocks sync=false each" + a);
      row(
          results,
          "confirmed appends/s, no sync" + a,
          "ours never" + a,
          "rocks group, sync=false" + a);
    }
    String rec = String.format("recover %,d queued 100 B packets, ms", queued);
    row(results, rec, "ours recover", "rocks recover WAL");
    row(results, rec, "ours recover", "rocks recover SST");
    System.out.printf(
        "| bytes on disk per queued 100 B packet | %.1f | %.1f in the WAL, %.1f after a flush"
            + " (SST) | %.2f, %.2f |%n",
        bytes[0], bytes[1], bytes[2], bytes[1] / bytes[0], bytes[2] / bytes[0]);
  }

  /** Our log on the same workload (StoreBench's code), with its sync count. */
  private static double ours(FsyncPolicy policy, int count, boolean ack) throws Exception {
    double rate = StoreBench.appendRate(policy, 1024, count, ack);
    StoreStats st = StoreBench.lastStats;
    long syncs = 0;
    for (int i = 0; i < st.fsyncBuckets(); i++) {
      syncs += st.fsyncBucket(i);
    }
    lastSyncs =
        policy == FsyncPolicy.NEVER
            ? new double[3]
            : new double[] {syncs, st.fsyncSumSeconds(), count};
    return rate;
  }

  private static void row(Map<String, double[]> results, String what, String ours, String rocks) {
    double[] o = results.get(ours);
    double[] k = results.get(rocks);
    System.out.printf(
        "| %s: %s vs %s | %,.0f (%,.0f – %,.0f) | %,.0f (%,.0f – %,.0f) | %.2f |%n",
        what,
        ours.replace("ours ", "").replace(" + ack", ""),
        rocks.replace("rocks ", "").replace(" + ack", ""),
        StoreBench.median(o),
        StoreBench.min(o),
        StoreBench.max(o),
        StoreBench.median(k),
        StoreBench.min(k),
        StoreBench.max(k),
        StoreBench.median(k) / StoreBench.median(o));
  }

  /** StoreBench.appendRate's workload on RocksDB: confirmed appends per second. */
  static double rate(Mode mode, int count, boolean ack) throws Exception {
    Path dir = Files.createTempDirectory("qmsgbus-rocks");
    byte[][] bodies = bodies(1024, 1024, 1);
    int threads = 4;
    CountDownLatch done = new CountDownLatch(count);
    AtomicLong nextKey = new AtomicLong(1);
    List<Thread> ts = new ArrayList<>();
    double rate;
    Rocks db = new Rocks(dir, mode);
    try {
      long t0 = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        Thread th =
            new Thread(
                () -> {
                  Semaphore window = new Semaphore(64);
                  for (int i = 0; i < count / threads; i++) {
                    window.acquireUninterruptibly();
                    long key = nextKey.getAndIncrement();
                    db.enqueue(
                        key,
                        bodies[(int) (key % bodies.length)],
                        () -> {
                          if (ack) {
                            db.ack(key);
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
      rate = count / ((System.nanoTime() - t0) / 1e9);
      for (Thread th : ts) {
        th.join();
      }
    } finally {
      db.close(); // joins the writer thread: its counts are final after this
    }
    if (mode.group && mode.sync) {
      lastSyncs = new double[] {db.writes, db.writeNanos / 1e9, count};
    }
    delete(dir);
    return rate;
  }

  /**
   * Writes {@code queued} 100 B packets (sync=false), closes (after a flush if {@code flushed}),
   * then times opening and reading every queue entry with its message. Returns {milliseconds, bytes
   * on disk per packet}.
   */
  static double[] recoverOnce(int queued, boolean flushed) throws Exception {
    Path dir = Files.createTempDirectory("qmsgbus-rocks");
    byte[][] bodies = bodies(queued, 100, 2);
    try (Options o = new Options().setCreateIfMissing(true);
        WriteOptions wo = new WriteOptions().setSync(false);
        RocksDB db = RocksDB.open(o, dir.toString())) {
      for (int i = 0; i < queued; ) {
        try (WriteBatch b = new WriteBatch()) {
          for (int j = 0; j < 1000 && i < queued; j++, i++) {
            b.put(messageKey(i + 1), messageValue(bodies[i]));
            b.put(queueKey(i + 1), longBytes(i + 1));
          }
          db.write(wo, b);
        }
      }
      if (flushed) {
        try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
          db.flush(f);
        }
      }
    }
    double bytesPer = (double) dataBytes(dir) / queued;
    long t0 = System.nanoTime();
    List<byte[]> restored = new ArrayList<>(queued);
    byte[] prefix = queuePrefix();
    try (Options o = new Options().setCreateIfMissing(false);
        RocksDB db = RocksDB.open(o, dir.toString());
        RocksIterator it = db.newIterator()) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        byte[] m = db.get(messageKey(ByteBuffer.wrap(it.value()).getLong()));
        if (m == null) {
          throw new IllegalStateException("queue entry without its message");
        }
        restored.add(m);
      }
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    if (restored.size() != queued) {
      throw new IllegalStateException("recovered " + restored.size() + " of " + queued);
    }
    delete(dir);
    return new double[] {ms, bytesPer};
  }

  /**
   * A RocksDB store of one session's queue, written as {@link Mode} says. Confirms run on the
   * appender's thread ({@code each}) or on the writer thread after the batch's write ({@code
   * group}), as our log runs them.
   */
  static final class Rocks implements AutoCloseable {
    private final Options options;
    private final WriteOptions writeOptions;
    private final WriteOptions ackOptions;
    private final RocksDB db;
    private final Mode mode;
    private final Object lock = new Object();
    private WriteBatch pending = new WriteBatch();
    private int pendingOps;
    private List<Runnable> waiting = new ArrayList<>();
    private boolean closing;
    private final Thread writer;

    /** Writer thread only (read after it is joined): batches written and their time. */
    private long writes;

    private long writeNanos;

    Rocks(Path dir, Mode mode) throws RocksDBException {
      this.mode = mode;
      options = new Options().setCreateIfMissing(true);
      writeOptions = new WriteOptions().setSync(mode.sync);
      ackOptions = new WriteOptions().setSync(false);
      db = RocksDB.open(options, dir.toString());
      writer = new Thread(this::writeLoop, "rocks-writer");
      if (mode.group) {
        writer.start();
      }
    }

    void enqueue(long key, byte[] body, Runnable confirmed) {
      byte[] mk = messageKey(key);
      byte[] mv = messageValue(body);
      byte[] qk = queueKey(key);
      byte[] qv = longBytes(key);
      try {
        if (mode.group) {
          synchronized (lock) {
            pending.put(mk, mv);
            pending.put(qk, qv);
            pendingOps++;
            waiting.add(confirmed);
            lock.notifyAll();
          }
          return;
        }
        try (WriteBatch b = new WriteBatch()) {
          b.put(mk, mv);
          b.put(qk, qv);
          db.write(writeOptions, b);
        }
      } catch (RocksDBException e) {
        throw new IllegalStateException(e);
      }
      confirmed.run();
    }

    void ack(long key) {
      byte[] mk = messageKey(key);
      byte[] qk = queueKey(key);
      try {
        if (mode.group) {
          synchronized (lock) {
            pending.delete(qk);
            pending.delete(mk);
            pendingOps++;
            lock.notifyAll();
          }
          return;
        }
        try (WriteBatch b = new WriteBatch()) {
          b.delete(qk);
          b.delete(mk);
          db.write(ackOptions, b);
        }
      } catch (RocksDBException e) {
        throw new IllegalStateException(e);
      }
    }

    private void writeLoop() {
      try {
        while (true) {
          WriteBatch batch;
          int ops;
          List<Runnable> actions;
          boolean stop;
          synchronized (lock) {
            while (!closing && pendingOps == 0 && waiting.isEmpty()) {
              lock.wait();
            }
            batch = pending;
            ops = pendingOps;
            pending = new WriteBatch();
            pendingOps = 0;
            actions = waiting;
            waiting = new ArrayList<>();
            stop = closing;
          }
          try {
            if (ops > 0) {
              long t0 = System.nanoTime();
              db.write(writeOptions, batch);
              writes++;
              writeNanos += System.nanoTime() - t0;
            }
          } finally {
            batch.close();
          }
          actions.forEach(Runnable::run);
          if (stop) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RocksDBException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      if (mode.group) {
        synchronized (lock) {
          closing = true;
          lock.notifyAll();
        }
        try {
          writer.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      pending.close();
      db.close();
      writeOptions.close();
      ackOptions.close();
      options.close();
    }
  }

  private static byte[][] bodies(int n, int size, long seed) {
    Random random = new Random(seed);
    byte[][] b = new byte[n][size];
    for (byte[] x : b) {
      random.nextBytes(x);
    }
    return b;
  }

  static byte[] messageKey(long key) {
    return ByteBuffer.allocate(9).put((byte) 'm').putLong(key).array();
  }

  /** As our MESSAGE record's body: skill (length-prefixed) then the payload. */
  static byte[] messageValue(byte[] body) {
    return ByteBuffer.allocate(2 + SKILL.length + body.length)
        .putShort((short) SKILL.length)
        .put(SKILL)
        .put(body)
        .array();
  }

  static byte[] queuePrefix() {
    return ByteBuffer.allocate(2 + SESSION.length)
        .put((byte) 'q')
        .put(SESSION)
        .put((byte) 0)
        .array();
  }

  static byte[] queueKey(long position) {
    return ByteBuffer.allocate(2 + SESSION.length + 8)
        .put((byte) 'q')
        .put(SESSION)
        .put((byte) 0)
        .putLong(position)
        .array();
  }

  static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** WAL, SST and MANIFEST files: what the data takes, not the info LOG or OPTIONS. */
  private static long dataBytes(Path dir) throws Exception {
    try (Stream<Path> f = Files.list(dir)) {
      return f.filter(
              p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".log") || n.endsWith(".sst") || n.startsWith("MANIFEST-");
              })
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }

  private static void delete(Path dir) throws Exception {
    try (Stream<Path> f = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) f.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
