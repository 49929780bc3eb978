package io.qmsgbus.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server in a process of its own, for tests that kill it with SIGKILL: {@code main} (a class on
 * the test class path) prints {@code PORT n} once listening; its output is then drained so the
 * process never blocks on its log.
 */
public final class ServerProcess {

  private final Process process;
  private final int port;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts {@code main} with {@code args} and waits (at most 30 s) for its port. */
  public static ServerProcess start(Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String line;
    while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
      if (line.startsWith("PORT ")) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // keep the pipe empty
                    }
                  } catch (IOException gone) {
                    // killed
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return new ServerProcess(p, Integer.parseInt(line.substring(5).trim()));
      }
    }
    p.destroyForcibly();
    throw new AssertionError(main.getSimpleName() + " did not start; last line: " + line);
  }

  public int port() {
    return port;
  }

  /** SIGKILL, not waiting (for clean-up after a test). */
  public void stop() {
    process.destroyForcibly();
  }

  /** SIGKILL: no shutdown hook, no flush; waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("the server process did not die");
    }
  }
}
