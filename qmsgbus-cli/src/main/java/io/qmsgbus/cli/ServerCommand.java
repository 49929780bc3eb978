package io.qmsgbus.cli;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qmsgbus server}: run the bus until SIGINT/SIGTERM. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the bus. Prints 'listening on ws://HOST:PORT/' on stdout once it accepts connections.",
      "Settings come from the defaults, then --config FILE, then --set, then --host/--port."
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus server",
      "  qmsgbus server --port 9000",
      "  qmsgbus server --config qmsgbus.properties --set maxQueuePackets=1000",
      "",
      "Config file: Java properties, one 'key = value' per line, '#' comments. Keys:",
      "  host, port, maxFrameBytes, maxSkillLength, maxQueuePackets, maxQueueBytes,",
      "  overflowPolicy (drop-oldest|drop-newest|disconnect), maxRegistrations,",
      "  maxConnections, idleTimeoutSeconds, ioThreads"
    })
final class ServerCommand implements Callable<Integer> {

  @Option(
      names = "--host",
      description = "Address to bind (default 127.0.0.1; other addresses expose the bus).")
  String host;

  @Option(names = "--port", description = "Port to listen on (default 8081; 0 = a free port).")
  Integer port;

  @Option(names = "--config", paramLabel = "FILE", description = "A properties file of settings.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one setting (repeatable), e.g. --set overflowPolicy=disconnect.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg = ServerConfig.defaults();
    try {
      if (config != null) {
        cfg = cfg.withFile(config);
      }
      for (Map.Entry<String, String> e : overrides.entrySet()) {
        cfg = cfg.with(e.getKey(), e.getValue());
      }
      if (host != null) {
        cfg = cfg.withHost(host);
      }
      if (port != null) {
        cfg = cfg.withPort(port);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("qmsgbus server: " + e.getMessage());
      return 2;
    }
    BusServer server;
    try {
      server = BusServer.start(cfg);
    } catch (IllegalStateException e) {
      System.err.println("qmsgbus server: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicInteger signals = new AtomicInteger();
    Signals.onTerminate(
        name -> {
          if (signals.incrementAndGet() > 1) {
            Runtime.getRuntime().halt(0); // a second signal: stop now
          }
          Thread t =
              new Thread(
                  () -> {
                    server.close();
                    stopped.countDown();
                  },
                  "qmsgbus-shutdown");
          t.start();
        });
    System.out.println("listening on " + server.url());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
