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
