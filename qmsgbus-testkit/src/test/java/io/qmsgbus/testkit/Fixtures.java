package io.qmsgbus.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs a fixture test class in a JUnit launcher of its own and returns how each of its tests and
 * the class itself ended, so a test can check that an extension makes a test fail. The fixtures are
 * nested classes that run only from here ({@link #running()}), not in the module's own run.
 */
final class Fixtures {

  private static volatile boolean running;

  private Fixtures() {}

  /** For {@code @EnabledIf("io.qmsgbus.testkit.Fixtures#running")}. */
  static boolean running() {
    return running;
  }

  /** Results by display name; the class's own result under {@code "class"}. */
  static synchronized Map<String, TestExecutionResult> run(Class<?> fixture) {
    Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
    TestExecutionListener listener =
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.isTest()) {
              results.put(id.getDisplayName(), result);
            } else if (id.getSource()
                .filter(s -> s instanceof org.junit.platform.engine.support.descriptor.ClassSource)
                .isPresent()) {
              results.put("class", result);
            }
          }
        };
    running = true;
    try {
      LauncherFactory.create()
          .execute(
              LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture)).build(),
              listener);
    } finally {
      running = false;
    }
    return results;
  }
}
