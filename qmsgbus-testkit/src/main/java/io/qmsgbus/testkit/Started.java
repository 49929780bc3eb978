package io.qmsgbus.testkit;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A resource started before each test (or once for a test class) and closed after it, so a test
 * class does not hand-write the {@code @BeforeEach} start and {@code @AfterEach} close:
 *
 * <pre>{@code
 * @RegisterExtension
 * final Started<BusServer> bus = Started.perTest(() -> BusServer.start(ServerConfig.defaults()));
 *
 * @RegisterExtension
 * static final Started<BusServer> shared = Started.perClass(() -> BusServer.start(...));
 * }</pre>
 *
 * <p>JUnit runs extension callbacks around the class's own methods: the resource is started before
 * any {@code @BeforeEach} method (which may use {@link #get()}) and closed after every
 * {@code @AfterEach} method (so clients closed there go before the server). If starting throws, the
 * test fails with that exception; if closing throws, the test fails too. A per-class resource must
 * be a {@code static} field; it is not restarted for {@code @Nested} classes.
 *
 * @param <T> the resource
 */
public final class Started<T extends AutoCloseable>
    implements BeforeEachCallback, AfterEachCallback, BeforeAllCallback, AfterAllCallback {

  /** Starts the resource; may throw. */
  @FunctionalInterface
  public interface Starter<T> {
    T start() throws Exception;
  }

  private final Starter<? extends T> starter;
  private final boolean perClass;
  private volatile T resource;

  /** The unique id of the context that started the resource, which alone closes it. */
  private volatile String owner;

  private Started(Starter<? extends T> starter, boolean perClass) {
    this.starter = Objects.requireNonNull(starter, "starter");
    this.perClass = perClass;
  }

  /** A fresh resource for each test; register it on an instance field. */
  public static <T extends AutoCloseable> Started<T> perTest(Starter<? extends T> starter) {
    return new Started<>(starter, false);
  }

  /** One resource for all tests of the class; register it on a {@code static} field. */
  public static <T extends AutoCloseable> Started<T> perClass(Starter<? extends T> starter) {
    return new Started<>(starter, true);
  }

  /** The running resource. */
  public T get() {
    T r = resource;
    if (r == null) {
      throw new IllegalStateException(
          perClass
              ? "not started: a Started.perClass resource must be a static @RegisterExtension"
                  + " field, and is there only while its class runs"
              : "not started: a Started.perTest resource is there only while a test runs");
    }
    return r;
  }

  /**
   * Closes the running resource and starts another in its place, which is then closed when the
   * first would have been: for a test that restarts its server (on the same port, or with other
   * settings). Closing again what the test already closed must be harmless.
   */
  public T replace(Starter<? extends T> replacement) throws Exception {
    T old = get();
    resource = null;
    old.close();
    T r = replacement.start();
    if (r == null) {
      throw new IllegalStateException("the starter returned null");
    }
    resource = r;
    return r;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (perClass) {
      start(context);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (!perClass) {
      start(context);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (!perClass) {
      close(context);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (perClass) {
      close(context);
    }
  }

  private void start(ExtensionContext context) throws Exception {
    if (resource != null) {
      return; // a @Nested class inside the one that started it
    }
    T r = starter.start();
    if (r == null) {
      throw new IllegalStateException("the starter returned null");
    }
    resource = r;
    owner = context.getUniqueId();
  }

  private void close(ExtensionContext context) throws Exception {
    T r = resource;
    if (r == null || !context.getUniqueId().equals(owner)) {
      return;
    }
    resource = null;
    owner = null;
    r.close();
  }
}
