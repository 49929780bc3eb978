package io.qmsgbus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segment log on its own: round trips across reopen, reclaiming, damage, the lock. */
class SegmentLogStoreTest {

  @TempDir Path dir;

  private static final ByteAccount NONE = ByteAccount.NONE;

  private SegmentLogStore open(long segmentBytes) {
    return SegmentLogStore.open(new StoreOptions(dir, FsyncPolicy.ALWAYS, 100, segmentBytes));
  }

  private static Message message(String skill, String body) {
    return Message.of(skill, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), 1, 1, null, NONE);
  }

  private static StoredSession session(String name, String... skills) {
    return new StoredSession(name, null, List.of(skills), false, false, true, 60, 0);
  }

  private Recovery reopen(SegmentLogStore old) {
    old.close();
    SegmentLogStore s = open(1 << 20);
    Recovery r = s.recover(ByteBufAllocator.DEFAULT);
    s.close();
    return r;
  }

  private static List<String> bodies(RecoveredSession r) {
    List<String> out = new ArrayList<>();
    r.queue()
        .forEach(
            m -> {
              out.add(m.payload().toString(StandardCharsets.UTF_8));
              m.payload().release();
            });
    return out;
  }

  @Test
  void sessionsAndQueuesSurviveAReopenInOrderMinusWhatWasRemoved() {
    SegmentLogStore s = open(1 << 20);
    s.recover(ByteBufAllocator.DEFAULT);
    s.saveSession(session("a", "x"));
    s.saveSession(session("b", "x", "y"));
    List<Message> sent = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      Message m = message("x", "m" + i);
      s.enqueue("a", m);
      s.enqueue("b", m);
      sent.add(m);
    }
    s.remove("a", sent.get(0).storeKey());
    s.remove("a", sent.get(0).storeKey()); // twice: harmless
    s.remove("b", sent.get(4).storeKey());
    sent.forEach(Message::release);
    Recovery r = reopen(s);
    assertThat(r.damagedRecords()).isZero();
    assertThat(r.sessions()).hasSize(2);
    RecoveredSession a =
        r.sessions().stream().filter(x -> x.session().name().equals("a")).findFirst().orElseThrow();
    RecoveredSession b =
        r.sessions().stream().filter(x -> x.session().name().equals("b")).findFirst().orElseThrow();
    assertThat(b.session().skills()).containsExactly("x", "y");
    assertThat(bodies(a)).containsExactly("m2", "m3", "m4", "m5");
    assertThat(bodies(b)).containsExactly("m1", "m2", "m3", "m4");
  }

  @Test
  void aMessageForManySessionsIsWrittenOnce() throws IOException {
    SegmentLogStore s = open(1 << 20);
    s.recover(ByteBufAllocator.DEFAULT);
    String big = "z".repeat(10_000);
    Message m = message("x", big);
    for (int i = 0; i < 50; i++) {
      s.saveSession(session("s" + i, "x"));
      s.enqueue("s" + i, m);
    }
    m.release();
    s.close();
    assertThat(totalBytes()).isBetween(10_000L, 20_000L); // not 50 x 10 kB
  }

  @Test
  void aDeletedSessionIsGoneWithItsQueue() {
    SegmentLogStore s = open(1 << 20);
    s.recover(ByteBufAllocator.DEFAULT);
    s.saveSession(session("gone", "x"));
    Message m = message("x", "m");
    s.enqueue("gone", m);
    m.release();
    s.deleteSession("gone");
    assertThat(reopen(s).sessions()).isEmpty();
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(FsyncPolicy.class)
  void whenDurableFiresUnderEveryPolicyAndTheDataIsThere(FsyncPolicy policy)
      throws InterruptedException {
    SegmentLogStore s = SegmentLogStore.open(new StoreOptions(dir, policy, 50, 1 << 20));
    s.recover(ByteBufAllocator.DEFAULT);
    s.saveSession(session("a", "x"));
    CountDownLatch done = new CountDownLatch(100);
    for (int i = 0; i < 100; i++) {
      Message m = message("x", "m" + i);
      s.enqueue("a", m);
      m.release();
      s.whenDurable(done::countDown);
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(bodies(reopen(s).sessions().get(0))).hasSize(100);
  }

  @Test
  void deadSegmentsAreDeletedAndLiveSessionsKept() throws IOException {
    SegmentLogStore s = open(1 << 16);
    s.recover(ByteBufAllocator.DEFAULT);
    s.saveSession(session("a", "x"));
    String body = "p".repeat(1000);
    for (int i = 0; i < 500; i++) { // ~500 kB through 64 kB segments, each acked at once
      Message m = message("x", body);
      s.enqueue("a", m);
      s.remove("a", m.storeKey());
      m.release();
    }
    Message last = message("x", "last");
    s.enqueue("a", last);
    last.release();
    CountDownLatch done = new CountDownLatch(1);
    s.whenDurable(done::countDown);
    try {
      done.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    Message more = message("x", body); // one more roll, after which the old ones can go
    for (int i = 0; i < 100; i++) {
      Message m = message("x", body);
      s.enqueue("a", m);
      s.remove("a", m.storeKey());
      m.release();
    }
    more.release();
    s.close();
    assertThat(totalBytes()).as("dead segments deleted").isLessThan(300_000);
    Recovery r = reopen(open(1 << 16));
    assertThat(r.sessions()).hasSize(1);
    assertThat(bodies(r.sessions().get(0))).containsExactly("last");
  }

  @Test
  void aTornTailIsCutOffAndOnlyItIsLost() throws IOException {
    SegmentLogStore s = open(1 << 20);
    s.recover(ByteBufAllocator.DEFAULT);
    s.saveSession(session("a", "x"));
    for (int i = 1; i <= 3; i++) {
      Message m = message("x", "m" + i);
      s.enqueue("a", m);
      m.release();
    }
    s.close();
    Path seg = lastSegment();
    long size = Files.size(seg);
    try (FileChannel f = FileChannel.open(seg, StandardOpenOption.WRITE)) {
      f.truncate(size - 5); // mid-way through the last record (m3's enqueue)
    }
    Recovery r = reopen(open(1 << 20));
    assertThat(r.damagedRecords()).isEqualTo(1);
    assertThat(r.problems()).anyMatch(p -> p.contains("torn"));
    assertThat(bodies(r.sessions().get(0))).containsExactly("m1", "m2");
  }

  @Test
  void aFlippedByteLosesOnlyItsRecord() throws IOException {
    SegmentLogStore s = open(1 << 20);
    s.recover(ByteBufAllocator.DEFAULT);
    s.saveSession(session("a", "x"));
    for (int i = 1; i <= 3; i++) {
      Message m = message("x", "payload-" + i);
      s.enqueue("a", m);
      m.release();
    }
    s.close();
    Path seg = lastSegment();
    byte[] bytes = Files.readAllBytes(seg);
    int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("payload-2");
    bytes[at + 3] ^= 0x40;
    Files.write(seg, bytes);
    Recovery r = reopen(open(1 << 20));
    assertThat(r.damagedRecords()).isEqualTo(1);
    assertThat(r.problems()).anyMatch(p -> p.contains("checksum"));
    assertThat(bodies(r.sessions().get(0))).containsExactly("payload-1", "payload-3");
  }

  private static void awaitDurable(SegmentLogStore s) {
    CountDownLatch done = new CountDownLatch(1);
    s.whenDurable(done::countDown);
    try {
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static Map<String, List<String>> queues(Recovery r) {
    Map<String, List<String>> out = new TreeMap<>();
    r.sessions().forEach(x -> out.put(x.session().name(), bodies(x)));
    return out;
  }

  @Test
  void aNeverAckedPacketIsCopiedForwardAndTheDiskStaysBounded() throws IOException {
    long segmentBytes = 8 << 10;
    SegmentLogStore s = open(segmentBytes);
    s.recover(ByteBufAllocator.DEFAULT);
    s.saveSession(session("pinned", "x"));
    s.saveSession(session("other", "x"));
    Message first = message("x", "first, never acked");
    s.enqueue("pinned", first);
    first.release();
    String body = "p".repeat(200);
    long most = 0;
    for (int i = 0; i < 10_000; i++) {
      Message m = message("x", body + i);
      s.enqueue("pinned", m);
      s.enqueue("other", m);
      s.remove("pinned", m.storeKey());
      s.remove("other", m.storeKey());
      m.release();
      if (i % 500 == 499) {
        // a batch's actions run before its segments are deleted and copied forward: the 2nd
        // wait is for the batch of copies, the 3rd for the deletion that follows it
        awaitDurable(s);
        awaitDurable(s);
        awaitDurable(s);
        most = Math.max(most, s.segmentFiles());
      }
    }
    s.close();
    assertThat(most).as("segments on disk while the first packet stays").isLessThanOrEqualTo(6);
    assertThat(totalBytes()).isLessThan(6 * segmentBytes + 4096);
    Recovery r = reopen(open(segmentBytes));
    assertThat(r.damagedRecords()).isZero();
    assertThat(queues(r))
        .containsExactlyEntriesOf(
            new TreeMap<>(Map.of("other", List.of(), "pinned", List.of("first, never acked"))));
  }

  /** Queues whose order is not their keys' order (a fan-out that arrives late), over segments. */
  private Map<String, List<String>> fill(SegmentLogStore s) {
    s.saveSession(session("a", "x"));
    s.saveSession(session("b", "x"));
    s.saveSession(session("c", "x"));
    Map<String, List<String>> expected = new TreeMap<>();
    expected.put("a", new ArrayList<>());
    expected.put("b", new ArrayList<>());
    expected.put("c", new ArrayList<>());
    Message late = null;
    String lateBody = null;
    for (int i = 0; i < 300; i++) {
      String body = "m" + i + "-" + "q".repeat(i % 7 * 20);
      Message m = message("x", body);
      s.enqueue("a", m);
      expected.get("a").add(body);
      if (i % 3 == 0) {
        s.enqueue("b", m);
        expected.get("b").add(body);
      }
      if (i % 10 == 0) {
        s.remove("a", m.storeKey()); // c still gets it later: its bytes must be written again
        expected.get("a").remove(body);
        s.enqueue("c", m);
        expected.get("c").add(body);
      }
      if (i % 50 == 7) { // b gets an older message after newer ones
        if (late != null) {
          s.enqueue("b", late); // queued there already: it keeps its place
          if (!expected.get("b").contains(lateBody)) {
            expected.get("b").add(lateBody);
          }
          late.release();
        }
        late = m.retain();
        lateBody = body;
      }
      if (i % 4 != 1) { // most of a's are acked, in order
        String head = expected.get("a").isEmpty() ? null : expected.get("a").get(0);
        if (head != null && i > 20) {
          expected.get("a").remove(0);
          s.remove("a", keyOf(head));
        }
      }
      keys.put(body, m.storeKey());
      m.release();
    }
    if (late != null) {
      late.release();
    }
    return expected;
  }

  private final Map<String, Long> keys = new java.util.HashMap<>();

  private long keyOf(String body) {
    return keys.get(body);
  }

  @Test
  void recoveryAfterCompactionRestoresEveryQueueInOrder() throws Exception {
    SegmentLogStore s = open(2048);
    s.recover(ByteBufAllocator.DEFAULT);
    Map<String, List<String>> expected = fill(s);
    awaitDurable(s);
    long before = s.segmentFiles();
    s.compactNow(true);
    assertThat(s.segmentFiles()).isLessThan(before);
    Message after = message("x", "after");
    s.enqueue("c", after);
    after.release();
    expected.get("c").add("after");
    s.close();
    SegmentLogStore again = open(2048);
    Recovery r = again.recover(ByteBufAllocator.DEFAULT);
    assertThat(r.damagedRecords()).isZero();
    assertThat(queues(r)).containsExactlyEntriesOf(expected);
    again.compactNow(true); // copies of copies
    assertThat(queues(reopen(again))).containsExactlyEntriesOf(expected);
  }

  @Test
  void aCrashBetweenTheCopiesAndTheDeletionOrDuringTheCopiesLosesAndRepeatsNothing()
      throws Exception {
    SegmentLogStore s = open(2048);
    s.recover(ByteBufAllocator.DEFAULT);
    Map<String, List<String>> expected = fill(s);
    awaitDurable(s);
    long before = s.segmentFiles();
    s.compactNow(false); // copies synced, originals kept: as if killed before deleting
    assertThat(s.segmentFiles()).isGreaterThan(before);
    s.close();
    Path head = lastSegment();
    long size = Files.size(head);
    for (long cut = size; cut >= 0; cut -= Math.max(1, size / 23)) {
      Path copy = Files.createTempDirectory(dir.getParent(), "cut");
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          if (f.toString().endsWith(".log")) {
            Files.copy(f, copy.resolve(f.getFileName()));
          }
        }
      }
      try (FileChannel f =
          FileChannel.open(copy.resolve(head.getFileName()), StandardOpenOption.WRITE)) {
        f.truncate(cut); // the copies torn anywhere (0: the head never written)
      }
      SegmentLogStore t =
          SegmentLogStore.open(new StoreOptions(copy, FsyncPolicy.ALWAYS, 100, 2048));
      Recovery r = t.recover(ByteBufAllocator.DEFAULT);
      t.close();
      assertThat(queues(r))
          .as("head cut at %d of %d", cut, size)
          .containsExactlyEntriesOf(expected);
    }
    assertThat(queues(reopen(open(2048)))).containsExactlyEntriesOf(expected);
  }

  @Test
  void aSecondStoreOnTheSameDirIsRefused() {
    SegmentLogStore s = open(1 << 20);
    try {
      assertThatThrownBy(() -> open(1 << 20))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use by another server");
    } finally {
      s.close();
    }
  }

  private long totalBytes() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".log"))
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .sum();
    }
  }

  private Path lastSegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.toString().endsWith(".log"))
          .sorted()
          .reduce((a, b) -> b)
          .orElseThrow();
    }
  }
}
