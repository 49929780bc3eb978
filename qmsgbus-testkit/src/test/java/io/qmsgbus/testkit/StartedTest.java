package io.qmsgbus.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestExecutionResult.Status;

class StartedTest {

  /** What happened, in order, across a fixture run. */
  static final List<String> EVENTS = new CopyOnWriteArrayList<>();

  static final AtomicInteger IDS = new AtomicInteger();

  /** A resource that records its start and close. */
  static final class Resource implements AutoCloseable {
    final int id = IDS.incrementAndGet();
    final boolean failOnClose;
    volatile boolean closed;

    Resource(boolean failOnClose) {
      this.failOnClose = failOnClose;
      EVENTS.add("start " + id);
    }

    @Override
    public void close() throws IOException {
      closed = true;
      EVENTS.add("close " + id);
      if (failOnClose) {
        throw new IOException("close failed " + id);
      }
    }
  }

  @EnabledIf("io.qmsgbus.testkit.Fixtures#running")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class PerTest {
    @RegisterExtension final Started<Resource> res = Started.perTest(() -> new Resource(false));

    @BeforeEach
    void before() {
      EVENTS.add("beforeEach sees " + res.get().id);
    }

    @AfterEach
    void after() {
      EVENTS.add("afterEach sees " + res.get().id + (res.get().closed ? " closed" : " open"));
    }

    @Test
    @Order(1)
    void one() {
      EVENTS.add("one uses " + res.get().id);
    }

    @Test
    @Order(2)
    void two() {
      EVENTS.add("two uses " + res.get().id);
    }
  }

  @EnabledIf("io.qmsgbus.testkit.Fixtures#running")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class PerClass {
    @RegisterExtension
    static final Started<Resource> RES = Started.perClass(() -> new Resource(false));

    @Test
    @Order(1)
    void one() {
      EVENTS.add("one uses " + RES.get().id);
    }

    @Nested
    class Inner {
      @Test
      void inner() {
        EVENTS.add("inner uses " + RES.get().id);
      }
    }
  }

  @EnabledIf("io.qmsgbus.testkit.Fixtures#running")
  static class StartFails {
    @RegisterExtension
    final Started<Resource> res =
        Started.perTest(
            () -> {
              throw new IOException("cannot start");
            });

    @Test
    void neverRuns() {
      EVENTS.add("ran");
    }
  }

  @EnabledIf("io.qmsgbus.testkit.Fixtures#running")
  static class CloseFails {
    @RegisterExtension final Started<Resource> res = Started.perTest(() -> new Resource(true));

    @Test
    void passesButCloseThrows() {
      EVENTS.add("ran " + res.get().id);
    }
  }

  @EnabledIf("io.qmsgbus.testkit.Fixtures#running")
  static class Replaces {
    @RegisterExtension final Started<Resource> res = Started.perTest(() -> new Resource(false));

    @Test
    void replaces() throws Exception {
      Resource first = res.get();
      Resource second = res.replace(() -> new Resource(false));
      EVENTS.add("first " + (first.closed ? "closed" : "open") + ", uses " + res.get().id);
      if (second != res.get()) {
        throw new AssertionError("replace returned another resource");
      }
    }
  }

  @EnabledIf("io.qmsgbus.testkit.Fixtures#running")
  static class PerClassOnInstanceField {
    @RegisterExtension final Started<Resource> res = Started.perClass(() -> new Resource(false));

    @Test
    void getFails() {
      res.get();
    }
  }

  private static Map<String, TestExecutionResult> run(Class<?> fixture) {
    EVENTS.clear();
    IDS.set(0);
    return Fixtures.run(fixture);
  }

  @Test
  void perTestStartsBeforeBeforeEachAndClosesAfterAfterEach() {
    Map<String, TestExecutionResult> r = run(PerTest.class);

    assertThat(r.get("one()").getStatus()).isEqualTo(Status.SUCCESSFUL);
    assertThat(r.get("two()").getStatus()).isEqualTo(Status.SUCCESSFUL);
    assertThat(EVENTS)
        .containsExactly(
            "start 1",
            "beforeEach sees 1",
            "one uses 1",
            "afterEach sees 1 open",
            "close 1",
            "start 2",
            "beforeEach sees 2",
            "two uses 2",
            "afterEach sees 2 open",
            "close 2");
  }

  @Test
  void perClassStartsOnceAlsoForNestedClasses() {
    Map<String, TestExecutionResult> r = run(PerClass.class);

    assertThat(r.get("one()").getStatus()).isEqualTo(Status.SUCCESSFUL);
    assertThat(r.get("inner()").getStatus()).isEqualTo(Status.SUCCESSFUL);
    assertThat(EVENTS).containsExactly("start 1", "one uses 1", "inner uses 1", "close 1");
  }

  @Test
  void aFailingStartFailsTheTestWithItsException() {
    Map<String, TestExecutionResult> r = run(StartFails.class);

    assertThat(r.get("neverRuns()").getStatus()).isEqualTo(Status.FAILED);
    assertThat(r.get("neverRuns()").getThrowable().orElseThrow())
        .isInstanceOf(IOException.class)
        .hasMessage("cannot start");
    assertThat(EVENTS).isEmpty();
  }

  @Test
  void aFailingCloseFailsTheTest() {
    Map<String, TestExecutionResult> r = run(CloseFails.class);

    assertThat(r.get("passesButCloseThrows()").getStatus()).isEqualTo(Status.FAILED);
    assertThat(r.get("passesButCloseThrows()").getThrowable().orElseThrow())
        .isInstanceOf(IOException.class)
        .hasMessage("close failed 1");
    assertThat(EVENTS).containsExactly("start 1", "ran 1", "close 1");
  }

  @Test
  void aReplacementIsClosedWhenTheOriginalWouldHaveBeen() {
    Map<String, TestExecutionResult> r = run(Replaces.class);

    assertThat(r.get("replaces()").getStatus()).isEqualTo(Status.SUCCESSFUL);
    assertThat(EVENTS)
        .containsExactly("start 1", "close 1", "start 2", "first closed, uses 2", "close 2");
  }

  @Test
  void aPerClassResourceOnAnInstanceFieldSaysSo() {
    Map<String, TestExecutionResult> r = run(PerClassOnInstanceField.class);

    assertThat(r.get("getFails()").getStatus()).isEqualTo(Status.FAILED);
    assertThat(r.get("getFails()").getThrowable().orElseThrow())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must be a static @RegisterExtension field");
    assertThat(EVENTS).isEmpty();
  }
}
