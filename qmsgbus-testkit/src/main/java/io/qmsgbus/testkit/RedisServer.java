package io.qmsgbus.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package) on a free loopback port, with no persistence, for
 * tests that need one: started by the test, stopped (or killed, and started again on the same port)
 * by it. {@link #available()} tells whether the binary is installed.
 */
public final class RedisServer implements AutoCloseable {

  private static final Path BINARY = Path.of("/usr/bin/redis-server");

  private final int port;
  private final Path dir;
  private final List<String> extra;
  private final int tlsPort;
  private Process process;

  private RedisServer(int port, Path dir, List<String> extra, int tlsPort) {
    this.port = port;
    this.dir = dir;
    this.extra = extra;
    this.tlsPort = tlsPort;
  }

  /** Whether {@code redis-server} is installed ({@code .ci/run} installs it). */
  public static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /**
   * Skips the calling test where {@code redis-server} is not installed, except under CI ({@code
   * CI=true}), where a missing install step must fail rather than hide.
   */
  public static void require() {
    boolean ci = "true".equals(System.getenv("CI"));
    org.junit.jupiter.api.Assumptions.assumeTrue(
        available() || ci, "redis-server is not installed (.ci/run installs it)");
  }

  /** Starts one on a free port and waits until it answers PING. */
  public static RedisServer start() throws IOException {
    return start(List.of());
  }

  /**
   * Starts one with further {@code redis-server} arguments, e.g. {@code --requirepass S} ({@link
   * #command} then answers NOAUTH to anything but a password; the start-up check accepts that).
   */
  public static RedisServer start(List<String> args) throws IOException {
    RedisServer r =
        new RedisServer(FreePorts.free(), Files.createTempDirectory("qmsgbus-redis"), args, 0);
    r.launch();
    return r;
  }

  /**
   * Starts one that also serves TLS on a second free port with {@code cert} and {@code key} (PEM),
   * not asking clients for certificates; {@link #tlsUrl()} is its {@code rediss://} address.
   */
  public static RedisServer startTls(Path cert, Path key) throws IOException {
    int tls = FreePorts.free();
    RedisServer r =
        new RedisServer(
            FreePorts.free(),
            Files.createTempDirectory("qmsgbus-redis"),
            List.of(
                "--tls-port",
                Integer.toString(tls),
                "--tls-cert-file",
                cert.toString(),
                "--tls-key-file",
                key.toString(),
                "--tls-auth-clients",
                "no"),
            tls);
    r.launch();
    return r;
  }

  private void launch() throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                BINARY.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--daemonize",
                "no"));
    argv.addAll(extra);
    process =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "redis-server exited: " + Files.readString(dir.resolve("redis.log")).strip());
      }
      try {
        List<String> pong = command("PING");
        if (List.of("PONG").equals(pong) || pong.toString().contains("NOAUTH")) {
          return; // up (with a password, it says so)
        }
      } catch (IOException notYet) {
        // still starting
      }
      try {
        process.waitFor(20, TimeUnit.MILLISECONDS); // a bounded pause between polls
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new IOException("redis-server did not answer PING on port " + port);
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** {@code rediss://127.0.0.1:TLSPORT}, for one started with {@link #startTls}. */
  public String tlsUrl() {
    if (tlsPort == 0) {
      throw new IllegalStateException("not started with TLS");
    }
    return "rediss://127.0.0.1:" + tlsPort;
  }

  /**
   * Sends one command (inline: words without spaces) and returns its reply flattened: a simple
   * string, error ({@code -ERR ...}), integer or bulk string as one element, an array as its
   * elements in order (nested arrays flattened, a nil as null). E.g. {@code PUBSUB NUMSUB a b}
   * gives {@code [a, 1, b, 0]}.
   */
  public List<String> command(String... words) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write((String.join(" ", words) + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = new java.io.BufferedInputStream(s.getInputStream());
      List<String> values = new ArrayList<>();
      read(in, values);
      return values;
    }
  }

  private static void read(InputStream in, List<String> into) throws IOException {
    String line = line(in);
    if (line.isEmpty()) {
      throw new IOException("empty reply");
    }
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case '+', ':' -> into.add(rest);
      case '-' -> into.add(line);
      case '$' -> {
        int n = Integer.parseInt(rest);
        if (n < 0) {
          into.add(null);
          return;
        }
        byte[] b = in.readNBytes(n + 2);
        into.add(new String(b, 0, n, StandardCharsets.UTF_8));
      }
      case '*' -> {
        int n = Integer.parseInt(rest);
        for (int i = 0; i < n; i++) {
          read(in, into);
        }
      }
      default -> throw new IOException("not a RESP reply: " + line);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  /** kill -9: no shutdown, every connection cut at once. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts it again on the same port (after {@link #kill}), empty. */
  public void restart() throws IOException {
    launch();
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
