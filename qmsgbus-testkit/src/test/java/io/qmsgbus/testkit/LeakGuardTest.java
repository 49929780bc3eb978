package io.qmsgbus.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.opentest4j.AssertionFailedError;

class LeakGuardTest {

  /** Allocates a pooled direct buffer and drops it unreleased. */
  private static void leak(String what) {
    ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
    b.writeCharSequence(what, java.nio.charset.StandardCharsets.US_ASCII);
    b.touch(what); // the hint shows in the leak record
  }

  @ExtendWith(LeakGuard.class)
  @EnabledIf("io.qmsgbus.testkit.Fixtures#running")
  static class LeaksAndEnds {
    @Test
    void leaksAPooledBuffer() {
      leak("hint-from-leaksAPooledBuffer");
    }
  }

  @ExtendWith(LeakGuard.class)
  @EnabledIf("io.qmsgbus.testkit.Fixtures#running")
  static class ReleasesEverything {
    @Test
    void releases() {
      ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
      b.writeLong(42);
      b.release();
    }
  }

  @ExtendWith(LeakGuard.class)
  @EnabledIf("io.qmsgbus.testkit.Fixtures#running")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class LeaksAndCollects {
    @Test
    @Order(1)
    void leaksAndCollects() throws InterruptedException {
      leak("hint-from-leaksAndCollects");
      LeakGuard.collectLeaks();
    }

    @Test
    @Order(2)
    void runsCleanAfterwards() {
      ByteBuf b = PooledByteBufAllocator.DEFAULT.heapBuffer(8);
      b.release();
    }
  }

  private static String message(TestExecutionResult r) {
    assertThat(r.getThrowable()).containsInstanceOf(AssertionFailedError.class);
    return r.getThrowable().orElseThrow().getMessage();
  }

  @Test
  void anUnreleasedBufferFailsTheClassWithTheLeakRecord() {
    Map<String, TestExecutionResult> r = Fixtures.run(LeaksAndEnds.class);

    // reported only once garbage is collected, after the class
    assertThat(r.get("leaksAPooledBuffer()").getStatus()).isEqualTo(Status.SUCCESSFUL);
    assertThat(r.get("class").getStatus()).isEqualTo(Status.FAILED);
    assertThat(message(r.get("class")))
        .contains("Netty reported 1 leak(s) in LeakGuardTest$LeaksAndEnds")
        .contains("LEAK of ByteBuf")
        .contains("hint-from-leaksAPooledBuffer")
        .contains("LeakGuardTest$LeaksAndEnds.leaksAPooledBuffer");
  }

  @Test
  void releasedBuffersPass() {
    Map<String, TestExecutionResult> r = Fixtures.run(ReleasesEverything.class);

    assertThat(r.get("releases()").getStatus()).isEqualTo(Status.SUCCESSFUL);
    assertThat(r.get("class").getStatus()).isEqualTo(Status.SUCCESSFUL);
  }

  @Test
  void aLeakReportedDuringATestFailsThatTestAndOnlyThatTest() {
    Map<String, TestExecutionResult> r = Fixtures.run(LeaksAndCollects.class);

    assertThat(r.get("leaksAndCollects()").getStatus()).isEqualTo(Status.FAILED);
    assertThat(message(r.get("leaksAndCollects()")))
        .contains("Netty reported 1 leak(s) during leaksAndCollects()")
        .contains("hint-from-leaksAndCollects");
    assertThat(r.get("runsCleanAfterwards()").getStatus()).isEqualTo(Status.SUCCESSFUL);
    assertThat(r.get("class").getStatus()).isEqualTo(Status.SUCCESSFUL);
  }

  @Test
  void collectLeaksListsWhatNettyReported() throws InterruptedException {
    int before = LeakGuard.collectLeaks().size();
    leak("hint-from-collectLeaksListsWhatNettyReported");

    assertThat(LeakGuard.collectLeaks())
        .hasSize(before + 1)
        .last()
        .satisfies(l -> assertThat(l.record()).contains("hint-from-collectLeaksListsWhat"));
  }
}
