package io.qmsgbus.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.qmsgbus.message.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable sessions on disk as an append-only log of CRC'd records in numbered segment files (what
 * JetStream's file store, Artemis and Kafka do): a message's bytes are written once, each session
 * that queues it writes a small reference, an ack writes a removal. Callers (event loops) only copy
 * into a buffer under one lock; one writer thread writes and syncs everything pending at once
 * (group commit), then fires the {@link #whenDurable} actions that waited for it.
 *
 * <p>Record: {@code int length, int crc32c(body), body}; body starts with a type byte. A record
 * whose CRC fails is skipped (its length still says where the next begins); a torn tail of the last
 * segment is cut off; a length that cannot be right ends that segment's reading. Segments are
 * deleted oldest first once no live message is in them; every new segment starts with the settings
 * of every live session, so deleting older ones never loses a session. An old segment that is
 * mostly dead has its live messages and their references copied forward to the head (each {@code
 * ENQUEUE} carries its queue position, so a copy takes its original place and a copy and its
 * original are one entry) and is deleted once the copies are synced. See docs/durability.md.
 */
public final class SegmentLogStore implements SessionStore {

  private static final Logger log = LoggerFactory.getLogger(SegmentLogStore.class);

  private static final byte SESSION = 1;
  private static final byte SESSION_DELETE = 2;
  private static final byte MESSAGE = 3;
  private static final byte ENQUEUE = 4;
  private static final byte REMOVE = 5;

  private static final int HEADER = 8;
  private static final int MAX_RECORD = 1 << 30;

  /** Copy forward out of the oldest segment when its live bytes are below 1/this of its size. */
  private static final int COMPACT_RATIO = 4;

  /** At most this many segments are copied forward per roll. */
  private static final int COMPACT_PER_ROLL = 4;

  private final StoreOptions options;
  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Thread writer;
  private final Object mutex = new Object();

  // --- under mutex ---
  /** Records not yet written, by the segment they belong to (a roll starts a new chunk). */
  private List<Chunk> chunks = new ArrayList<>();

  private ByteBuf pending;
  private List<Runnable> waiting = new ArrayList<>();

  /** Actions waiting only for the next write, not its sync ({@link #whenWritten}). */
  private List<Runnable> waitingWrite = new ArrayList<>();

  private long nextKey = 1;

  /** Queue positions: every ENQUEUE record carries one; recovery orders each queue by it. */
  private long nextSeq = 1;

  private final Map<String, StoredSession> sessions = new HashMap<>();

  /**
   * Each live session's queued message keys -> queue position, so a deleted session releases its
   * references and a copied-forward entry keeps its place.
   */
  private final Map<String, LinkedHashMap<Long, Long>> queued = new HashMap<>();

  /** Live message key -> {segment of its newest MESSAGE record, references, record bytes}. */
  private final Map<Long, long[]> live = new HashMap<>();

  /** Segment number -> {live messages, their MESSAGE record bytes}. */
  private final TreeMap<Long, long[]> liveBySegment = new TreeMap<>();

  /** Sealed segment number -> bytes written to it. */
  private final Map<Long, Long> segmentSize = new HashMap<>();

  /** Forced compactions asked for (tests), and how many of them have finished. */
  private long compactionsAsked;

  private long compactionsTaken;
  private long compactionsDone;

  /** False (tests) once a crash between copying forward and deleting is being simulated. */
  private boolean deleting = true;

  private long firstSegment;
  private long activeSegment;
  private long activeBytes;
  private boolean rolled;
  private boolean rolling;
  private boolean closing;
  private boolean recovered;

  private record Chunk(long segment, ByteBuf buf) {}

  // --- writer thread only ---
  private FileChannel out;
  private long outSegment = -1;

  /** Copies written by the last compaction; their segments go once these are synced. */
  private boolean copiesUnsynced;

  private long copiesForTicket;

  private final CRC32C crc = new CRC32C();

  private final StoreStats stats = new StoreStats();

  private SegmentLogStore(StoreOptions options) throws IOException {
    this.options = options;
    this.dir = options.dir();
    Files.createDirectories(dir);
    this.lockChannel =
        FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
      l = null;
    }
    if (l == null) {
      lockChannel.close();
      throw new IllegalStateException(
          "data dir " + dir + " is in use by another server (its lock file is held)");
    }
    this.lock = l;
    this.writer = new Thread(this::writeLoop, "qmsgbus-store-writer");
    this.writer.setDaemon(true);
  }

  /** Opens (and locks) {@code options.dir()}; call {@link #recover} next. */
  public static SegmentLogStore open(StoreOptions options) {
    try {
      return new SegmentLogStore(options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open data dir " + options.dir() + ": " + e, e);
    }
  }

  @Override
  public boolean persistent() {
    return true;
  }

  // ---------------------------------------------------------------- writes (any thread)

  @Override
  public void saveSession(StoredSession s) {
    synchronized (mutex) {
      sessions.put(s.name(), s);
      begin(SESSION);
      writeSession(s);
      end();
    }
  }

  @Override
  public void deleteSession(String name) {
    synchronized (mutex) {
      sessions.remove(name);
      LinkedHashMap<Long, Long> keys = queued.remove(name);
      if (keys != null) {
        keys.keySet().forEach(this::unref);
      }
      begin(SESSION_DELETE);
      writeString(name);
      end();
    }
  }

  @Override
  public long enqueue(String name, Message m) {
    synchronized (mutex) {
      long key = m.storeKey();
      if (key == 0 || !live.containsKey(key)) {
        // new, or every session that queued it has removed it already (fast-push sent it at
        // once): its bytes are written (again) so its segment counts it live
        if (key == 0) {
          key = nextKey++;
          m.storeKey(key);
        }
        begin(MESSAGE);
        pending.writeLong(key);
        writeString(m.skill());
        ByteBuf c = m.content();
        pending.writeInt(c.readableBytes());
        pending.writeBytes(c, c.readerIndex(), c.readableBytes());
        long segment = activeSegment; // before end(): a roll there starts the next one
        int bytes = end();
        addLive(key, segment, 0, bytes);
      }
      LinkedHashMap<Long, Long> q = queued.computeIfAbsent(name, k -> new LinkedHashMap<>());
      if (q.containsKey(key)) {
        return key; // queued there already: it keeps its place
      }
      long seq = nextSeq++;
      q.put(key, seq);
      live.get(key)[1]++;
      writeEnqueue(name, key, seq);
      return key;
    }
  }

  @Override
  public void remove(String name, long key) {
    synchronized (mutex) {
      LinkedHashMap<Long, Long> keys = queued.get(name);
      if (key == 0 || keys == null || keys.remove(key) == null) {
        return; // not queued there (removed already, or never stored): nothing to write
      }
      unref(key);
      begin(REMOVE);
      writeString(name);
      pending.writeLong(key);
      end();
    }
  }

  private void unref(long key) {
    long[] entry = live.get(key);
    if (entry != null && --entry[1] <= 0) {
      live.remove(key);
      dropLive(entry[0], entry[2]);
    }
  }

  private void addLive(long key, long segment, long refs, long bytes) {
    live.put(key, new long[] {segment, refs, bytes});
    long[] s = liveBySegment.computeIfAbsent(segment, k -> new long[2]);
    s[0]++;
    s[1] += bytes;
  }

  private void dropLive(long segment, long bytes) {
    long[] s = liveBySegment.get(segment);
    if (s != null) {
      s[1] -= bytes;
      if (--s[0] <= 0) {
        liveBySegment.remove(segment);
      }
    }
  }

  private void writeEnqueue(String name, long key, long seq) {
    begin(ENQUEUE);
    writeString(name);
    pending.writeLong(key);
    pending.writeLong(seq);
    end();
  }

  @Override
  public void whenDurable(Runnable action) {
    synchronized (mutex) {
      waiting.add(action);
      mutex.notifyAll();
    }
  }

  @Override
  public void whenWritten(Runnable action) {
    synchronized (mutex) {
      waitingWrite.add(action);
      mutex.notifyAll();
    }
  }

  /**
   * Tests: copies the live data of every sealed segment forward now and waits until that is done;
   * {@code deleteAfter = false} keeps the copied-from segments, as a crash between the copies' sync
   * and the deletion would, and deletes no segment from then on.
   */
  void compactNow(boolean deleteAfter) throws InterruptedException {
    synchronized (mutex) {
      long ticket = ++compactionsAsked;
      deleting &= deleteAfter;
      mutex.notifyAll();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (compactionsDone < ticket) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closing) {
          throw new IllegalStateException("compaction did not finish");
        }
        mutex.wait(Math.max(1, left / 1_000_000L));
      }
    }
  }

  /** Segment files on disk now (tests). */
  long segmentFiles() {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().matches("\\d{20}\\.log")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private int recordStart;

  private void begin(byte type) {
    if (closing || pending == null) {
      throw new IllegalStateException(closing ? "store closed" : "recover() comes first");
    }
    recordStart = pending.writerIndex();
    pending.writeInt(0).writeInt(0).writeByte(type);
  }

  /** Seals the record begun last; returns its size on disk. */
  private int end() {
    int bodyStart = recordStart + HEADER;
    int length = pending.writerIndex() - bodyStart;
    crc.reset();
    crc.update(pending.nioBuffer(bodyStart, length));
    pending.setInt(recordStart, length);
    pending.setInt(recordStart + 4, (int) crc.getValue());
    counted(HEADER + length);
    return HEADER + length;
  }

  private void counted(int recordBytes) {
    activeBytes += recordBytes;
    if (activeBytes >= options.segmentBytes() && !rolling) {
      roll();
    }
    mutex.notifyAll();
  }

  /** Starts the next segment, declaring every live session in it first. Under the mutex. */
  private void roll() {
    rolling = true;
    segmentSize.put(activeSegment, activeBytes);
    activeSegment++;
    activeBytes = 0;
    newChunk();
    for (StoredSession s : sessions.values()) {
      begin(SESSION);
      writeSession(s);
      end();
    }
    rolling = false;
    rolled = true;
  }

  private void newChunk() {
    pending = ByteBufAllocator.DEFAULT.heapBuffer(1 << 16);
    chunks.add(new Chunk(activeSegment, pending));
  }

  private void writeString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    pending.writeShort(b.length);
    pending.writeBytes(b);
  }

  private void writeSession(StoredSession s) {
    writeString(s.name());
    writeString(s.owner() == null ? "" : s.owner());
    pending.writeByte(s.owner() == null ? 0 : 1);
    pending.writeInt(s.skills().size());
    for (String skill : s.skills()) {
      writeString(skill);
    }
    pending.writeByte((s.buffering() ? 1 : 0) | (s.fastpush() ? 2 : 0) | (s.notices() ? 4 : 0));
    pending.writeLong(s.expirySeconds());
    pending.writeLong(s.detachedAtMillis());
  }

  // ---------------------------------------------------------------- the writer thread

  private boolean nothingPending() {
    for (Chunk c : chunks) {
      if (c.buf().isReadable()) {
        return false;
      }
    }
    return true;
  }

  private static void runAll(List<Runnable> actions) {
    for (Runnable r : actions) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("store action failed: {}", e.toString());
      }
    }
  }

  private void writeLoop() {
    long lastSync = System.nanoTime();
    boolean unsynced = false;
    long intervalNanos = options.fsyncIntervalMillis() * 1_000_000L;
    try {
      while (true) {
        List<Chunk> batch;
        List<Runnable> actions;
        List<Runnable> writtenActions;
        boolean roll;
        boolean stop;
        long forced = 0;
        synchronized (mutex) {
          while (!closing) {
            if (compactionsAsked > compactionsTaken) {
              break;
            }
            boolean data = !nothingPending() || !waitingWrite.isEmpty();
            if (options.fsync() != FsyncPolicy.INTERVAL) {
              if (data || !waiting.isEmpty()) {
                break;
              }
              mutex.wait();
              continue;
            }
            // interval: write data as it comes, sync (and answer) once the interval is up
            long left = intervalNanos - (System.nanoTime() - lastSync);
            boolean due = unsynced || !waiting.isEmpty();
            if (data || (due && (left <= 0 || !unsynced))) {
              break;
            }
            if (due) {
              mutex.wait(Math.max(1, left / 1_000_000L));
            } else {
              mutex.wait();
            }
          }
          batch = chunks;
          chunks = new ArrayList<>();
          newChunk();
          actions = waiting;
          waiting = new ArrayList<>();
          writtenActions = waitingWrite;
          waitingWrite = new ArrayList<>();
          roll = rolled;
          rolled = false;
          stop = closing;
          if (compactionsAsked > compactionsTaken) {
            forced = compactionsAsked;
            compactionsTaken = forced;
          }
        }
        try {
          for (Chunk c : batch) {
            if (c.buf().isReadable()) {
              write(c);
              unsynced = true;
            }
          }
        } finally {
          batch.forEach(c -> c.buf().release());
        }
        runAll(writtenActions);
        boolean sync =
            switch (options.fsync()) {
              case ALWAYS -> true;
              case INTERVAL -> stop || !unsynced || System.nanoTime() - lastSync >= intervalNanos;
              case NEVER -> stop;
            };
        if (!sync && options.fsync() == FsyncPolicy.INTERVAL && !actions.isEmpty()) {
          synchronized (mutex) { // they wait for the next sync, not just this write
            waiting.addAll(0, actions);
          }
          actions = List.of();
        }
        if (sync && unsynced && out != null) {
          long t0 = System.nanoTime();
          out.force(false);
          lastSync = System.nanoTime();
          stats.synced(lastSync - t0);
          unsynced = false;
        }
        runAll(actions);
        if (copiesUnsynced) {
          // the last compaction's copies are in this batch: synced before their originals go
          if (unsynced && out != null) {
            long t0 = System.nanoTime();
            out.force(false);
            lastSync = System.nanoTime();
            stats.synced(lastSync - t0);
            unsynced = false;
          }
          copiesUnsynced = false;
          deleteDeadSegments();
          compacted(copiesForTicket);
        } else if (roll) {
          deleteDeadSegments();
        }
        if (stop) {
          compacted(forced);
          return;
        }
        if (roll || forced > 0) {
          if (compactOldest(forced > 0)) {
            copiesForTicket = forced;
          } else {
            compacted(forced);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // a disk that fails writes cannot keep any promise: stop rather than confirm what is lost
      log.error("store write failed, stopping the server: {}", e.toString(), e);
      Runtime.getRuntime().halt(4);
    }
  }

  private void write(Chunk c) throws IOException {
    if (out == null || outSegment != c.segment()) {
      if (out != null) {
        out.force(false); // a finished segment is complete on disk before the next begins
        out.close();
      }
      out =
          FileChannel.open(
              segmentPath(c.segment()),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND);
      outSegment = c.segment();
    }
    ByteBuffer b = c.buf().nioBuffer();
    while (b.hasRemaining()) {
      out.write(b);
    }
  }

  /** Oldest first, and only segments before the oldest live message and the one being written. */
  private void deleteDeadSegments() {
    List<Long> dead = new ArrayList<>();
    synchronized (mutex) {
      if (!deleting) {
        return;
      }
      long oldestLive = liveBySegment.isEmpty() ? Long.MAX_VALUE : liveBySegment.firstKey();
      long limit = Math.min(oldestLive, outSegment);
      while (firstSegment < limit) {
        dead.add(firstSegment++);
      }
    }
    for (long s : dead) {
      try {
        Files.deleteIfExists(segmentPath(s));
      } catch (IOException e) {
        log.warn("cannot delete segment {}: {}", s, e.toString());
      }
    }
  }

  private void compacted(long ticket) {
    if (ticket > 0) {
      synchronized (mutex) {
        compactionsDone = Math.max(compactionsDone, ticket);
        mutex.notifyAll();
      }
    }
  }

  /**
   * Copies the live messages of the oldest segments forward to the head, with an {@code ENQUEUE}
   * (at its original position) for each session that queues them, while the oldest segment's live
   * bytes are under 1/{@value #COMPACT_RATIO} of its size and at least two segments are sealed
   * (forced: every sealed segment). Writer thread; the copies are only appended here, and the
   * emptied segments are deleted after the next write once those are synced. Returns whether
   * anything was copied.
   */
  private boolean compactOldest(boolean force) throws IOException {
    boolean copied = false;
    long seg;
    synchronized (mutex) {
      seg = firstSegment;
    }
    for (int n = 0; force || n < COMPACT_PER_ROLL; n++, seg++) {
      synchronized (mutex) {
        if (seg >= outSegment || seg >= activeSegment) {
          break; // not sealed, or not all written yet
        }
        long[] l = liveBySegment.get(seg);
        if (l == null) {
          continue; // nothing live in it: goes when those before it go
        }
        long liveBytes = l[1];
        long size = segmentSize.getOrDefault(seg, Long.MAX_VALUE);
        if (!force && (activeSegment - seg < 2 || liveBytes * COMPACT_RATIO >= size)) {
          break;
        }
      }
      SealedSegment read = messageRecords(seg);
      if (read == null) {
        break;
      }
      Map<Long, int[]> records = read.messages();
      synchronized (mutex) {
        if (closing) {
          break;
        }
        List<Long> moving = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : live.entrySet()) {
          if (e.getValue()[0] == seg) {
            moving.add(e.getKey());
          }
        }
        if (!records.keySet().containsAll(moving)) {
          log.warn("segment {}: a live message's record is unreadable; not copied forward", seg);
          break;
        }
        moving.sort(null);
        for (long key : moving) {
          int[] at = records.get(key);
          long[] entry = live.get(key);
          long target = activeSegment;
          pending.writeBytes(read.bytes(), at[0], at[1]);
          counted(at[1]);
          dropLive(entry[0], entry[2]);
          live.remove(key);
          addLive(key, target, entry[1], entry[2]);
        }
        Set<Long> moved = new HashSet<>(moving);
        for (Map.Entry<String, LinkedHashMap<Long, Long>> q : queued.entrySet()) {
          for (Map.Entry<Long, Long> e : q.getValue().entrySet()) {
            if (moved.contains(e.getKey())) {
              writeEnqueue(q.getKey(), e.getKey(), e.getValue());
            }
          }
        }
        copied |= !moving.isEmpty();
      }
    }
    copiesUnsynced = copied;
    return copied;
  }

  /** A sealed segment's bytes and its well-formed MESSAGE records: key -> {offset, length}. */
  private record SealedSegment(byte[] bytes, Map<Long, int[]> messages) {}

  private SealedSegment messageRecords(long seg) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(segmentPath(seg));
    } catch (IOException e) {
      log.warn("segment {} unreadable, not copied forward: {}", seg, e.toString());
      return null;
    }
    Map<Long, int[]> found = new HashMap<>();
    ByteBuffer b = ByteBuffer.wrap(bytes);
    CRC32C sum = new CRC32C();
    while (b.remaining() >= HEADER) {
      int start = b.position();
      int length = b.getInt();
      int c = b.getInt();
      if (length < 1 || length > b.remaining()) {
        break;
      }
      sum.reset();
      sum.update(bytes, b.position(), length);
      if ((int) sum.getValue() == c && bytes[b.position()] == MESSAGE && length >= 9) {
        found.put(b.getLong(b.position() + 1), new int[] {start, HEADER + length});
      }
      b.position(b.position() + length);
    }
    return new SealedSegment(bytes, found);
  }

  private Path segmentPath(long segment) {
    return dir.resolve(String.format("%020d.log", segment));
  }

  // ---------------------------------------------------------------- recovery

  @Override
  public Recovery recover(ByteBufAllocator alloc) {
    synchronized (mutex) {
      if (recovered) {
        throw new IllegalStateException("recover is called once");
      }
      recovered = true;
    }
    List<String> problems = new ArrayList<>();
    long damaged = 0;
    Map<String, StoredSession> found = new LinkedHashMap<>();
    // session -> key -> queue position: a copied-forward entry and its original are one entry
    Map<String, Map<Long, Long>> queues = new HashMap<>();
    // key -> {skill, byte[], segment, record bytes}: the newest record (a copy) wins
    Map<Long, Object[]> messages = new HashMap<>();
    Map<Long, Long> sizes = new HashMap<>();
    List<Long> segments = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("\\d{20}\\.log"))
          .map(n -> Long.parseLong(n.substring(0, 20)))
          .sorted()
          .forEach(segments::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long maxKey = 0;
    long maxSeq = 0;
    for (int i = 0; i < segments.size(); i++) {
      long seg = segments.get(i);
      boolean last = i == segments.size() - 1;
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(segmentPath(seg));
        sizes.put(seg, (long) bytes.length);
      } catch (IOException e) {
        problems.add("segment " + seg + " unreadable: " + e);
        continue;
      }
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.remaining() > 0) {
        int start = b.position();
        if (b.remaining() < HEADER) {
          damaged++;
          problems.add(tornOrCut(seg, last, start));
          if (last) {
            truncate(seg, start);
          }
          break;
        }
        int length = b.getInt();
        int sum = b.getInt();
        if (length < 1 || length > MAX_RECORD || length > b.remaining()) {
          damaged++;
          problems.add(
              last && length > b.remaining() && length <= MAX_RECORD
                  ? "segment " + seg + ": torn record at " + start + " cut off"
                  : "segment " + seg + ": bad record length at " + start + "; rest skipped");
          if (last) {
            truncate(seg, start);
          }
          break;
        }
        crc.reset();
        crc.update(bytes, b.position(), length);
        if ((int) crc.getValue() != sum) {
          damaged++;
          problems.add("segment " + seg + ": record at " + start + " fails its checksum; skipped");
          b.position(b.position() + length);
          continue;
        }
        ByteBuffer body = ByteBuffer.wrap(bytes, b.position(), length).slice();
        b.position(b.position() + length);
        try {
          switch (body.get()) {
            case SESSION -> {
              StoredSession s = readSession(body);
              found.put(s.name(), s);
              queues.computeIfAbsent(s.name(), k -> new HashMap<>());
            }
            case SESSION_DELETE -> {
              String name = readString(body);
              found.remove(name);
              queues.remove(name);
            }
            case MESSAGE -> {
              long key = body.getLong();
              String skill = readString(body);
              byte[] payload = new byte[body.getInt()];
              body.get(payload);
              messages.put(key, new Object[] {skill, payload, seg, (long) HEADER + length});
              maxKey = Math.max(maxKey, key);
            }
            case ENQUEUE -> {
              String name = readString(body);
              long key = body.getLong();
              // a record from before positions were written: its place in the log is its position
              long seq = body.remaining() >= 8 ? body.getLong() : maxSeq + 1;
              maxSeq = Math.max(maxSeq, seq);
              Map<Long, Long> q = queues.get(name);
              if (q != null) {
                q.putIfAbsent(key, seq);
              }
            }
            case REMOVE -> {
              String name = readString(body);
              long key = body.getLong();
              Map<Long, Long> q = queues.get(name);
              if (q != null) {
                q.remove(key);
              }
            }
            default -> {
              damaged++;
              problems.add("segment " + seg + ": unknown record type at " + start);
            }
          }
        } catch (RuntimeException bad) {
          damaged++;
          problems.add("segment " + seg + ": unreadable record at " + start + ": " + bad);
        }
      }
    }
    List<RecoveredSession> result = new ArrayList<>();
    Map<Long, Integer> refs = new HashMap<>();
    Map<String, LinkedHashMap<Long, Long>> positions = new HashMap<>();
    for (StoredSession s : found.values()) {
      List<StoredMessage> q = new ArrayList<>();
      List<Map.Entry<Long, Long>> entries =
          new ArrayList<>(queues.getOrDefault(s.name(), Map.of()).entrySet());
      entries.sort(Map.Entry.comparingByValue());
      LinkedHashMap<Long, Long> kept = new LinkedHashMap<>();
      positions.put(s.name(), kept);
      for (Map.Entry<Long, Long> entry : entries) {
        long key = entry.getKey();
        Object[] m = messages.get(key);
        if (m == null) {
          continue; // its record was damaged: lost, and reported above
        }
        byte[] payload = (byte[]) m[1];
        ByteBuf buf = alloc.buffer(payload.length);
        buf.writeBytes(payload);
        q.add(new StoredMessage(key, (String) m[0], buf));
        kept.put(key, entry.getValue());
        refs.merge(key, 1, Integer::sum);
      }
      result.add(new RecoveredSession(s, q));
    }
    long next = segments.isEmpty() ? 1 : segments.get(segments.size() - 1) + 1;
    synchronized (mutex) {
      nextKey = maxKey + 1;
      nextSeq = maxSeq + 1;
      segmentSize.putAll(sizes);
      firstSegment = segments.isEmpty() ? next : segments.get(0);
      activeSegment = next;
      newChunk();
      sessions.putAll(found);
      queued.putAll(positions);
      refs.forEach(
          (key, n) -> {
            Object[] m = messages.get(key);
            addLive(key, (Long) m[2], n, (Long) m[3]);
          });
      // a fresh segment per start: what was damaged stays behind, what lives is re-declared
      for (StoredSession s : found.values()) {
        begin(SESSION);
        writeSession(s);
        end();
      }
    }
    writer.start();
    for (String p : problems) {
      log.warn("store: {}", p);
    }
    return new Recovery(result, damaged, problems);
  }

  private static String tornOrCut(long seg, boolean last, int at) {
    return last
        ? "segment " + seg + ": torn record at " + at + " cut off"
        : "segment " + seg + ": short record at " + at + "; rest skipped";
  }

  private void truncate(long seg, int at) {
    try (FileChannel f = FileChannel.open(segmentPath(seg), StandardOpenOption.WRITE)) {
      f.truncate(at);
      f.force(true);
    } catch (IOException e) {
      log.warn("cannot cut the torn tail of segment {}: {}", seg, e.toString());
    }
  }

  private static String readString(ByteBuffer b) {
    int n = Short.toUnsignedInt(b.getShort());
    byte[] s = new byte[n];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static StoredSession readSession(ByteBuffer b) {
    String name = readString(b);
    String owner = readString(b);
    boolean hasOwner = b.get() == 1;
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      throw new IllegalArgumentException("bad skill count " + n);
    }
    List<String> skills = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      skills.add(readString(b));
    }
    int flags = b.get();
    return new StoredSession(
        name,
        hasOwner ? owner : null,
        List.copyOf(skills),
        (flags & 1) != 0,
        (flags & 2) != 0,
        (flags & 4) != 0,
        b.getLong(),
        b.getLong());
  }

  // ---------------------------------------------------------------- close

  @Override
  public StoreStats stats() {
    return stats;
  }

  /** Summed over segments (a handful of entries), so a scrape never walks every message. */
  @Override
  public StoreStats.Usage usage() {
    synchronized (mutex) {
      long messages = 0;
      long bytes = 0;
      for (long[] l : liveBySegment.values()) {
        messages += l[0];
        bytes += l[1];
      }
      return new StoreStats.Usage(messages, bytes, activeSegment - firstSegment + 1);
    }
  }

  @Override
  public void close() {
    synchronized (mutex) {
      if (closing) {
        return;
      }
      closing = true;
      mutex.notifyAll();
    }
    try {
      if (writer.isAlive()) {
        writer.join(10_000);
      }
      if (out != null) {
        out.force(false);
        out.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("store close: {}", e.toString());
    } finally {
      synchronized (mutex) {
        chunks.forEach(c -> c.buf().release());
        chunks.clear();
      }
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        log.debug("lock release: {}", e.toString());
      }
    }
  }
}
