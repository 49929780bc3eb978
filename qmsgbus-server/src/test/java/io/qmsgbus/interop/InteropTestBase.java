package io.qmsgbus.interop;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * Starts the Java server in-process on a free loopback port for each test, and runs client scripts
 * against it as real processes, all of which are ended after the test.
 */
@Timeout(120)
abstract class InteropTestBase {

  /** How long a test waits for any one thing a script should print. */
  static final Duration WAIT = Duration.ofSeconds(20);

  /** What the scripts are told as --timeout: they stop by themselves after this many seconds. */
  static final String SCRIPT_TIMEOUT = "30";

  static final HexFormat HEX = HexFormat.of();

  BusServer server;
  int port;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /**
   * Skips (developer machine) or fails (CI=true) the test when a tool it needs is missing; checked
   * per test, so each skipped test is reported with the reason.
   */
  abstract void requireTools();

  @BeforeEach
  void startServer() {
    requireTools();
    server = BusServer.start(ServerConfig.defaults().withPort(0));
    port = server.port();
  }

  @AfterEach
  void stopEverything() throws Exception {
    Exception first = null;
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        }
      }
    }
    closeables.clear();
    if (server != null) {
      server.close();
    }
    if (first != null) {
      throw first;
    }
  }

  /** Runs {@code clients/python/<script>} with Debian's python3, pointed at the test's server. */
  ScriptProcess python(String name, String script, String... args) {
    List<String> command = new ArrayList<>();
    command.add(InteropEnvironment.PYTHON);
    command.add(InteropEnvironment.pythonDir().resolve(script).toString());
    command.add("--host");
    command.add("127.0.0.1");
    command.add("--port");
    command.add(Integer.toString(port));
    command.addAll(List.of(args));
    return track(ScriptProcess.start(name, InteropEnvironment.pythonDir(), command));
  }

  /** The stdin-driven seed-API client (clients/python/tests/driver.py), connected. */
  ScriptProcess driver(String name) {
    ScriptProcess driver = python(name, "tests/driver.py", "--timeout", "90");
    driver.awaitValue("CONNECTED", WAIT);
    return driver;
  }

  /** Runs {@code clients/js/<script>} under node, pointed at the test's server. */
  ScriptProcess node(String name, String script, String... args) {
    List<String> command = new ArrayList<>();
    command.add(InteropEnvironment.NODE);
    command.add(InteropEnvironment.jsDir().resolve(script).toString());
    command.add("--host");
    command.add("127.0.0.1");
    command.add("--port");
    command.add(Integer.toString(port));
    command.addAll(List.of(args));
    return track(ScriptProcess.start(name, InteropEnvironment.jsDir(), command));
  }

  /** A bare JDK WebSocket on the test's server, closed after the test. */
  JdkBusClient jdk() {
    return track(JdkBusClient.connect(port));
  }

  <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  /**
   * Has the driver send a control packet that changes nothing, with an id, and waits for the reply:
   * everything the driver sent before has then been handled by the server.
   */
  static void sync(ScriptProcess driver, String id) {
    int seen = driver.values("TEXT").size();
    driver.send("text {\"deregister\": \"qmsgbus-sync-noop\", \"id\": \"" + id + "\"}");
    String wanted = "{\"id\":\"" + id + "\",\"ok\":true}";
    // error replies to earlier packets may arrive first: read on until the sync reply itself
    for (int round = 0; round < 1_000; round++) {
      List<String> texts = driver.awaitValues("TEXT", seen + 1, WAIT);
      for (String t : texts.subList(seen, texts.size())) {
        if (t.replace(" ", "").equals(wanted)) {
          return;
        }
      }
      seen = texts.size();
    }
    throw new AssertionError("no reply to sync " + id + "\n" + driver.describe());
  }

  /** The payloads of the driver's DATA lines: (type, decoded UTF-8 text). */
  static List<String> dataTexts(ScriptProcess driver) {
    List<String> result = new ArrayList<>();
    for (String value : driver.values("DATA")) {
      String[] parts = value.split(" ", 2);
      if (!parts[0].equals("bytes")) {
        throw new AssertionError(
            "the deque got a " + parts[0] + ", not bytes\n" + driver.describe());
      }
      String hex = parts.length > 1 ? parts[1] : "";
      result.add(new String(HEX.parseHex(hex), StandardCharsets.UTF_8));
    }
    return result;
  }

  /** The exact bytes of the driver's DATA lines. */
  static List<byte[]> dataBytes(ScriptProcess driver) {
    List<byte[]> result = new ArrayList<>();
    for (String value : driver.values("DATA")) {
      String[] parts = value.split(" ", 2);
      result.add(HEX.parseHex(parts.length > 1 ? parts[1] : ""));
    }
    return result;
  }

  /** What the seed's scripts print for a packet: Python's json.dumps of skill and payload. */
  static String pyPacket(String skill, String payload) {
    return "{\"skill\": \"" + skill + "\", \"payload\": \"" + payload + "\"}";
  }

  static String hex(String text) {
    return HEX.formatHex(text.getBytes(StandardCharsets.UTF_8));
  }
}
