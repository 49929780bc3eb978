package io.qmsgbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestExecutionResult.Status;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Every test class of this module runs under {@code testkit.LeakGuard} without asking for it (JUnit
 * auto-detection, {@code junit-platform.properties} and {@code META-INF/services}): a class that
 * leaks a buffer and names no extension fails. If the registration goes, so does this test.
 */
class LeakGuardWiringTest {

  private static volatile boolean running;

  static boolean running() {
    return running;
  }

  /** Names no extension; leaks one pooled buffer. */
  @EnabledIf("io.qmsgbus.LeakGuardWiringTest#running")
  static class Leaks {
    @Test
    void dropsABuffer() {
      ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(32);
      b.writeCharSequence("dropped by LeakGuardWiringTest", StandardCharsets.US_ASCII);
    }
  }

  @Test
  void aLeakFailsAClassThatNamesNoExtension() {
    Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
    TestExecutionListener listener =
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            id.getSource().ifPresent(s -> results.put(id.getDisplayName(), result));
          }
        };
    running = true;
    try {
      LauncherFactory.create()
          .execute(
              LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Leaks.class)).build(),
              listener);
    } finally {
      running = false;
    }

    assertThat(results.get("dropsABuffer()").getStatus()).isEqualTo(Status.SUCCESSFUL);
    TestExecutionResult cls = results.get("LeakGuardWiringTest$Leaks");
    assertThat(cls.getStatus()).isEqualTo(Status.FAILED);
    assertThat(cls.getThrowable().orElseThrow().getMessage())
        .contains("Netty reported 1 leak(s) in LeakGuardWiringTest$Leaks")
        .contains("LeakGuardWiringTest$Leaks.dropsABuffer");
  }
}
