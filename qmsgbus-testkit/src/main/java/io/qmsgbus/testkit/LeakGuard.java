package io.qmsgbus.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * Fails a test when Netty reports a leaked resource (an unreleased {@link ByteBuf}) during it.
 * Netty's detector only logs a leak; this guard listens to every detector ({@link
 * ResourceLeakDetector#setLeakListener}) and turns a report into a failure that carries the leak
 * record (where the buffer was created and last touched).
 *
 * <p>Netty can only report a leak once the garbage collector has found the buffer unreachable, and
 * it reports it the next time a buffer is allocated. So:
 *
 * <ul>
 *   <li>after each test, a leak reported while it ran fails that test;
 *   <li>after each test class, the guard collects garbage, waits until the collected references
 *       have been handed to Netty's queues, allocates to make the detector look, and fails the
 *       class if a leak was reported that no test has claimed.
 * </ul>
 *
 * <p>Register it with {@code @ExtendWith(LeakGuard.class)}, or for a whole module through JUnit's
 * extension auto-detection ({@code junit.jupiter.extensions.autodetection.enabled=true} and a
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} file naming this class). The
 * guard runs the detector at {@link ResourceLeakDetector.Level#PARANOID PARANOID}: every buffer is
 * tracked and its accesses recorded. It must be loaded before Netty creates its buffer detector
 * (the first use of a {@code ByteBuf}); auto-detection guarantees that, and if it is too late the
 * guard hooks the existing detector instead, or refuses to run rather than guard nothing.
 *
 * <p>Tests are assumed to run one at a time in a JVM (JUnit's default): a leak is blamed on the
 * test or class during which Netty reported it.
 */
public final class LeakGuard
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  /** A leak Netty reported: the resource type and its record (empty when untraced). */
  public record Leak(String resourceType, String record) {
    @Override
    public String toString() {
      return "LEAK of " + resourceType + (record.isEmpty() ? " (no record)" : ":" + record);
    }
  }

  private static final class Reported {
    final Leak leak;
    final AtomicBoolean claimed = new AtomicBoolean();

    Reported(Leak leak) {
      this.leak = leak;
    }
  }

  private static final List<Reported> REPORTED = new CopyOnWriteArrayList<>();
  private static final Set<ResourceLeakDetector<?>> LISTENED = ConcurrentHashMap.newKeySet();
  private static final ResourceLeakDetector.LeakListener LISTENER =
      (type, records) -> REPORTED.add(new Reported(new Leak(type, records)));
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(LeakGuard.class);
  private static final String START = "start";

  /** Why the guard could not hook Netty's buffer detector, or null when it did. */
  private static final String NOT_INSTALLED;

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(
        new ListeningFactory(ResourceLeakDetectorFactory.instance()));
    NOT_INSTALLED = hookBufferDetector();
  }

  /** Attaches the listener to the detector every {@code ByteBuf} is tracked by. */
  private static String hookBufferDetector() {
    try {
      // initialises AbstractByteBuf: its detector comes from our factory unless Netty was used
      // before this class was loaded
      Class<?> c =
          Class.forName("io.netty.buffer.AbstractByteBuf", true, ByteBuf.class.getClassLoader());
      Field f = c.getDeclaredField("leakDetector");
      f.setAccessible(true);
      ResourceLeakDetector<?> d = (ResourceLeakDetector<?>) f.get(null);
      if (LISTENED.add(d)) {
        d.setLeakListener(LISTENER);
      }
      return null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return "cannot reach Netty's ByteBuf leak detector (" + e + ")";
    }
  }

  /** Makes every detector Netty creates from now on report to the guard. */
  private static final class ListeningFactory extends ResourceLeakDetectorFactory {
    private final ResourceLeakDetectorFactory delegate;

    ListeningFactory(ResourceLeakDetectorFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    @Deprecated // abstract in Netty, and deprecated: maxActive is ignored
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      ResourceLeakDetector<T> d =
          delegate.newResourceLeakDetector(resource, samplingInterval, maxActive);
      listen(d);
      return d;
    }

    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval) {
      ResourceLeakDetector<T> d = delegate.newResourceLeakDetector(resource, samplingInterval);
      listen(d);
      return d;
    }

    private static void listen(ResourceLeakDetector<?> d) {
      if (LISTENED.add(d)) {
        d.setLeakListener(LISTENER);
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (NOT_INSTALLED != null) {
      throw new ExtensionConfigurationException("LeakGuard is not guarding: " + NOT_INSTALLED);
    }
    context.getStore(NS).put(START, REPORTED.size());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put(START, REPORTED.size());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    failOnLeaksSince(context, "during " + context.getDisplayName());
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    collectLeaks();
    failOnLeaksSince(context, "in " + context.getDisplayName() + " (found after the class)");
  }

  private static void failOnLeaksSince(ExtensionContext context, String where) {
    Integer start = context.getStore(NS).get(START, Integer.class);
    List<Leak> leaks = new ArrayList<>();
    List<Reported> all = REPORTED;
    for (int i = start == null ? 0 : start; i < all.size(); i++) {
      Reported r = all.get(i);
      if (r.claimed.compareAndSet(false, true)) {
        leaks.add(r.leak);
      }
    }
    if (!leaks.isEmpty()) {
      StringBuilder msg = new StringBuilder();
      msg.append("Netty reported ").append(leaks.size()).append(" leak(s) ").append(where);
      for (Leak l : leaks) {
        msg.append("\n").append(l);
      }
      throw new AssertionFailedError(msg.toString());
    }
  }

  /**
   * Makes Netty report the leaks of every buffer that is unreachable now: collects garbage, waits
   * until the collector's references have been queued, and allocates so the detector drains its
   * queue. Returns the leaks reported so far, claimed or not, oldest first. A test may call it to
   * surface its own leaks before it ends.
   */
  public static List<Leak> collectLeaks() throws InterruptedException {
    // Two rounds: the sentinel of the second collection is queued only after the reference
    // handler has finished the batch of the first, so every buffer found by the first is queued.
    for (int round = 0; round < 2; round++) {
      ReferenceQueue<Object> queue = new ReferenceQueue<>();
      WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
      boolean queued = false;
      for (int gcs = 0; gcs < 10 && !queued; gcs++) {
        System.gc();
        queued = queue.remove(1_000) != null;
      }
      if (!queued) {
        throw new ExtensionConfigurationException(
            "LeakGuard: System.gc() collected nothing (is -XX:+DisableExplicitGC set?)");
      }
      Reference.reachabilityFence(sentinel);
    }
    // an allocation makes the (PARANOID) detector poll its queue and report what it holds
    ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(1);
    probe.release();
    List<Leak> leaks = new ArrayList<>();
    for (Reported r : REPORTED) {
      leaks.add(r.leak);
    }
    return leaks;
  }
}
