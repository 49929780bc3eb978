package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * What the interop tests need from the machine: the repository's {@code clients/} folder, Debian's
 * {@code /usr/bin/python3} with {@code python3-websocket}, and Node with {@code clients/js}'s
 * pinned {@code ws} package installed ({@code npm ci}).
 *
 * <p>When a tool is missing, the tests that need it are skipped with the reason on a developer
 * machine, and FAIL when the environment variable {@code CI} is {@code true}: {@code .ci/run}
 * installs them, so a skip there would hide a broken install step.
 */
final class InteropEnvironment {

  /** Debian's interpreter: the one that sees Debian's python3-websocket package. */
  static final String PYTHON =
      System.getProperty(
          "qmsgbus.python", System.getenv().getOrDefault("QMSGBUS_PYTHON", "/usr/bin/python3"));

  static final String NODE =
      System.getProperty("qmsgbus.node", System.getenv().getOrDefault("QMSGBUS_NODE", "node"));

  private static volatile String pythonProblem;
  private static volatile boolean pythonChecked;
  private static volatile String nodeProblem;
  private static volatile boolean nodeChecked;

  private InteropEnvironment() {}

  static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The checkout's root: the nearest folder up from the working directory holding clients/. */
  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("clients/python/WebSocketClientQ.py"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "no clients/python/WebSocketClientQ.py in " + dir + " or any folder above it");
  }

  static Path pythonDir() {
    return repoRoot().resolve("clients/python");
  }

  static Path jsDir() {
    return repoRoot().resolve("clients/js");
  }

  /** Skips (developer machine) or fails (CI=true) unless Debian's websocket library is usable. */
  static void requirePython() {
    if (!pythonChecked) {
      pythonProblem =
          probe(
              List.of(
                  PYTHON, "-c", "import websocket, sys; sys.stdout.write(websocket.__version__)"),
              PYTHON
                  + " cannot import websocket: install Debian's python3-websocket"
                  + " (apt-get install -y python3-websocket)");
      pythonChecked = true;
    }
    require(pythonProblem);
  }

  /**
   * Skips (developer machine) or fails (CI=true) unless node and clients/js/node_modules/ws exist.
   */
  static void requireNode() {
    if (!nodeChecked) {
      String problem =
          probe(List.of(NODE, "--version"), "no usable node on the PATH (Node 20 or later)");
      if (problem == null
          && !Files.isRegularFile(jsDir().resolve("node_modules/ws/package.json"))) {
        problem = "clients/js/node_modules/ws is missing: run `npm ci` in clients/js";
      }
      nodeProblem = problem;
      nodeChecked = true;
    }
    require(nodeProblem);
  }

  private static void require(String problem) {
    if (problem == null) {
      return;
    }
    if (underCi()) {
      fail("CI=true and the interop tests cannot run: " + problem);
    }
    Assumptions.abort(problem);
  }

  /** Runs a short command; null if it exits 0 within 30 s, else what went wrong. */
  private static String probe(List<String> command, String problem) {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return problem + " (" + e.getMessage() + ")";
    }
    try {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        return problem + " (" + String.join(" ", command) + " did not finish within 30 s)";
      }
      String output =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      String lastLine = output.substring(output.lastIndexOf('\n') + 1);
      return process.exitValue() == 0 ? null : problem + " (" + lastLine + ")";
    } catch (IOException e) {
      return problem + " (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return problem + " (interrupted)";
    } finally {
      process.destroyForcibly();
    }
  }
}
