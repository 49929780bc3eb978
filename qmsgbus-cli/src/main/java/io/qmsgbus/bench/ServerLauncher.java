package io.qmsgbus.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code --start-server}: runs the target server as a child process on a free loopback port,
 * optionally pinned with {@code taskset}, so one command measures it (and knows its pid).
 */
final class ServerLauncher implements AutoCloseable {

  private final Process process;
  private final URI url;
  private final Path tempFile;
  private final Path tempDir;

  private ServerLauncher(Process process, URI url, Path tempFile, Path tempDir) {
    this.process = process;
    this.url = url;
    this.tempFile = tempFile;
    this.tempDir = tempDir;
  }

  URI url() {
    return url;
  }

  long pid() {
    return process.pid();
  }

  /**
   * @param cpus a taskset CPU list for the server ("0"), or null
   * @param jvmOptions extra JVM options for a QMsgBus server (space separated), or null
   * @param settings {@code KEY=VALUE} settings for {@code qmsgbus server --set}
   * @param natsServer the nats-server binary
   * @param jetstream nats-server with JetStream, its store in a temporary directory ({@code
   *     durable})
   */
  static ServerLauncher start(
      Target target,
      String cpus,
      String jvmOptions,
      List<String> settings,
      String natsServer,
      boolean jetstream)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (cpus != null && !cpus.isBlank()) {
      cmd.add("taskset");
      cmd.add("-c");
      cmd.add(cpus);
    }
    if (target == Target.QMSGBUS) {
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      if (jvmOptions != null && !jvmOptions.isBlank()) {
        cmd.addAll(List.of(jvmOptions.trim().split("\\s+")));
      }
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("io.qmsgbus.cli.Main");
      cmd.add("server");
      cmd.add("--port");
      cmd.add("0");
      for (String kv : settings) {
        cmd.add("--set");
        cmd.add(kv);
      }
      Process p =
          new ProcessBuilder(cmd)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      CompletableFuture<String> listening = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("listening on ")) {
                      listening.complete(line.substring("listening on ".length()).trim());
                    }
                  }
                } catch (IOException e) {
                  // the server went away; waitFor below reports it
                }
                listening.completeExceptionally(
                    new IOException("the server exited before it listened"));
              },
              "bench-server-stdout");
      reader.setDaemon(true);
      reader.start();
      try {
        String u = listening.get(60, TimeUnit.SECONDS);
        return new ServerLauncher(p, URI.create(u), null, null);
      } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
        p.destroyForcibly();
        throw new IOException(
            "cannot start the QMsgBus server (" + String.join(" ", cmd) + "): " + e, e);
      }
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path conf = Files.createTempFile("qmsgbus-bench-nats", ".conf");
    Path store = jetstream ? Files.createTempDirectory("qmsgbus-bench-jetstream") : null;
    Files.writeString(
        conf,
        "host: 127.0.0.1\nport: -1\nwebsocket {\n  listen: \"127.0.0.1:"
            + port
            + "\"\n  no_tls: true\n}\n"
            + (store == null ? "" : "jetstream {\n  store_dir: \"" + store + "\"\n}\n"),
        StandardCharsets.US_ASCII);
    cmd.add(natsServer);
    cmd.add("-c");
    cmd.add(conf.toString());
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        Files.deleteIfExists(conf);
        deleteTree(store);
        throw new IOException(
            "nats-server exited with " + p.exitValue() + " (" + String.join(" ", cmd) + ")");
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new ServerLauncher(p, URI.create("ws://127.0.0.1:" + port + "/"), conf, store);
      } catch (IOException notYet) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
    p.destroyForcibly();
    Files.deleteIfExists(conf);
    deleteTree(store);
    throw new IOException("nats-server did not listen on port " + port + " within 30s");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      if (tempFile != null) {
        Files.deleteIfExists(tempFile);
      }
      deleteTree(tempDir);
    } catch (IOException ignored) {
      // a temp file left behind is harmless
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
