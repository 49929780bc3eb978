package io.qmsgbus.interop;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A client script (Python or Node) run as a real process: its stdout lines are collected as they
 * come, so a test can wait for them and assert on them; stdin can feed it commands. Always closed
 * by the test (destroyed if still running).
 */
final class ScriptProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> out = new CopyOnWriteArrayList<>();
  private final StringBuffer err = new StringBuffer();
  private final OutputStream stdin;
  private final Thread outPump;
  private final Thread errPump;

  private ScriptProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    this.stdin = process.getOutputStream();
    this.outPump = pump(name + "-stdout", process.getInputStream(), out::add);
    this.errPump =
        pump(name + "-stderr", process.getErrorStream(), line -> err.append(line).append('\n'));
  }

  /** Starts {@code command} in {@code workDir}, unbuffered output, with {@code env} added. */
  static ScriptProcess start(String name, Path workDir, List<String> command, String... env) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().put("PYTHONUNBUFFERED", "1");
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    for (int i = 0; i + 1 < env.length; i += 2) {
      builder.environment().put(env[i], env[i + 1]);
    }
    try {
      return new ScriptProcess(name, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
    }
  }

  private static Thread pump(String threadName, InputStream stream, Consumer<String> sink) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  sink.accept(line);
                }
              } catch (IOException e) {
                // the process went away; what was read is kept
              }
            },
            threadName);
    t.setDaemon(true);
    t.start();
    return t;
  }

  String name() {
    return name;
  }

  /** Every stdout line so far. */
  List<String> lines() {
    return List.copyOf(out);
  }

  /** The rest of each stdout line that starts with {@code prefix + " "} (or is just prefix). */
  List<String> values(String prefix) {
    List<String> result = new ArrayList<>();
    for (String line : out) {
      if (line.equals(prefix)) {
        result.add("");
      } else if (line.startsWith(prefix + " ")) {
        result.add(line.substring(prefix.length() + 1));
      }
    }
    return result;
  }

  /** Waits until at least {@code n} lines start with {@code prefix}; returns those lines' rest. */
  List<String> awaitValues(String prefix, int n, Duration timeout) {
    try {
      await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> values(prefix).size() >= n || !process.isAlive());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          name
              + " did not print "
              + n
              + " '"
              + prefix
              + "' line(s) within "
              + timeout
              + "\n"
              + describe(),
          e);
    }
    List<String> values = values(prefix);
    if (values.size() < n) {
      // the process ended first: read what it printed last before judging
      awaitExit(Duration.ofSeconds(10));
      values = values(prefix);
      if (values.size() < n) {
        throw new AssertionError(
            name + " ended before printing " + n + " '" + prefix + "' line(s)\n" + describe());
      }
    }
    return values;
  }

  /** Waits for a line starting with {@code prefix}; returns its rest. */
  String awaitValue(String prefix, Duration timeout) {
    return awaitValues(prefix, 1, timeout).get(0);
  }

  /** Writes one line to the process's stdin. */
  void send(String line) {
    try {
      stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": cannot write to stdin\n" + describe(), e);
    }
  }

  /** Waits for the process to end; returns its exit status. Fails if it does not end in time. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " still running after " + timeout + "\n" + describe());
      }
      // the pumps reach end-of-stream once the process is gone: let them hand over the last lines
      outPump.join(5_000);
      errPump.join(5_000);
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** stdout and stderr so far, for failure messages. */
  String describe() {
    return "--- "
        + name
        + " stdout ---\n"
        + out.stream().collect(Collectors.joining("\n"))
        + "\n--- "
        + name
        + " stderr ---\n"
        + err
        + "--- end of "
        + name
        + " ---";
  }

  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
