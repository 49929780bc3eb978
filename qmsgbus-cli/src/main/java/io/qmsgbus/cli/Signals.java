package io.qmsgbus.cli;

import java.lang.reflect.Proxy;

/**
 * SIGINT/SIGTERM handling that lets the server exit 0 after a clean stop. A plain shutdown hook
 * cannot: the JVM then exits 130/143. {@code sun.misc.Signal} is reached reflectively because
 * naming it directly is a compiler warning, and this build treats warnings as errors.
 */
final class Signals {

  private Signals() {}

  /** Calls {@code onSignal} with the signal's name on each INT or TERM. */
  static void onTerminate(java.util.function.Consumer<String> onSignal) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              Signals.class.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                  onSignal.accept(String.valueOf(signalClass.getMethod("getName").invoke(args[0])));
                }
                return null;
              });
      for (String name : new String[] {"INT", "TERM"}) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // No sun.misc.Signal (not a HotSpot-like JVM): fall back to a hook; exit code is then 143.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> onSignal.accept("shutdown")));
    }
  }
}
