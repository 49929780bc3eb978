package io.qmsgbus.cli;

import io.qmsgbus.admin.AdminServer;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.config.Settings;
import io.qmsgbus.transport.BusServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qmsgbus server}: run the bus until SIGINT/SIGTERM. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the bus. Prints 'listening on ws://HOST:PORT/' on stdout once it accepts connections,",
      "then 'admin on http://HOST:PORT/' for the admin listener (health, /metrics, JSON API and",
      "the web console; default 127.0.0.1:8082, --admin-port 0 turns it off).",
      "Settings come from the defaults, then --config FILE, then --set, then the options."
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus server",
      "  qmsgbus server --port 9000",
      "  qmsgbus server --admin-port 9090       # console on http://127.0.0.1:9090/",
      "  qmsgbus server --config qmsgbus.properties --set maxQueuePackets=1000",
      "  qmsgbus server --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem --jwt-secret-file jwt.secret",
      "",
      "Security: binding an address other than loopback needs authentication (--jwt-secret-file,",
      "--jwt-public-key or --users-file) or an explicit --allow-anonymous. See 'qmsgbus token' and",
      "'qmsgbus passwd', and 'Securing the bus' in the README.",
      "",
      "Config file: Java properties, one 'key = value' per line, '#' comments; an unknown key is an",
      "error. Every setting, with its default (the same keys go to --set KEY=VALUE):"
    })
final class ServerCommand implements Callable<Integer> {

  @Option(
      names = "--host",
      description = "Address to bind (default 127.0.0.1; other addresses expose the bus).")
  String host;

  @Option(names = "--port", description = "Port to listen on (default 8081; 0 = a free port).")
  Integer port;

  @Option(
      names = "--admin-host",
      description = "Address of the admin listener (default 127.0.0.1; other addresses expose it).")
  String adminHost;

  @Option(
      names = "--admin-port",
      description = {
        "Port of the admin listener (default 8082; 0 = no admin listener).",
        "With --port 0 and no admin port set, the admin listener takes a free port too."
      })
  Integer adminPort;

  @Option(
      names = "--admin-token-file",
      paramLabel = "FILE",
      description = {
        "Require the token in FILE on every admin path but /healthz and /readyz",
        "(Authorization: Bearer, or open the console once as /?token=TOKEN; adminTokenFile).",
        "Needed for a non-loopback --admin-host."
      })
  String adminTokenFile;

  @Option(
      names = "--allowed-hosts",
      paramLabel = "LIST",
      description = {
        "Host names (Host header) both listeners answer besides loopback ones, comma-separated",
        "(allowedHosts; against DNS rebinding)."
      })
  String allowedHosts;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = {
        "Keep durable sessions in DIR: they survive restarts and kill -9 (default: in memory,",
        "durable across reconnects only)."
      })
  String dataDir;

  @Option(
      names = "--fsync",
      paramLabel = "POLICY",
      description = "With --data-dir: always (default), interval or never.")
  String fsync;

  @Option(
      names = "--cluster",
      paramLabel = "REDIS_URL",
      description = {
        "Join the nodes that share this Redis (redis://HOST:PORT, rediss:// for TLS): a packet",
        "published on any node reaches receivers on every node. Default: one node on its own."
      })
  String cluster;

  @Option(
      names = "--node-name",
      paramLabel = "NAME",
      description = "This node's name in the cluster (default: a random id).")
  String nodeName;

  @Option(
      names = "--cluster-password-file",
      paramLabel = "FILE",
      description = "With --cluster: the Redis password, first line of FILE.")
  String clusterPasswordFile;

  @Option(
      names = "--cluster-ca-cert",
      paramLabel = "FILE",
      description = "With --cluster rediss://: trust the Redis certificate(s) in this PEM file.")
  String clusterCaCert;

  @Option(names = "--config", paramLabel = "FILE", description = "A properties file of settings.")
  Path config;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one setting (repeatable), e.g. --set overflowPolicy=disconnect.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--jwt-secret-file",
      paramLabel = "FILE",
      description =
          "Require clients to present an HS256 token signed with the secret in FILE (authJwtSecretFile).")
  String jwtSecretFile;

  @Option(
      names = "--jwt-public-key",
      paramLabel = "FILE",
      description =
          "Accept RS256/ES256 tokens signed by the key whose PEM public key (or certificate) is FILE (authJwtPublicKey).")
  String jwtPublicKey;

  @Option(
      names = "--jwt-audience",
      paramLabel = "AUD",
      description = "Tokens must carry this aud (authJwtAudience).")
  String jwtAudience;

  @Option(
      names = "--jwt-issuer",
      paramLabel = "ISS",
      description = "Tokens must carry this iss (authJwtIssuer).")
  String jwtIssuer;

  @Option(
      names = "--users-file",
      paramLabel = "FILE",
      description =
          "Accept HTTP Basic logins of the users in FILE (see 'qmsgbus passwd'; authUsersFile).")
  String usersFile;

  @Option(
      names = "--allowed-origins",
      paramLabel = "LIST",
      description = {
        "Browser origins allowed to connect, comma-separated (https://app.example.com), or '*'.",
        "Default: any while authentication is off, only the bus's own while it is on (allowedOrigins)."
      })
  String allowedOrigins;

  @Option(
      names = "--allow-anonymous",
      description =
          "Allow a non-loopback --host without authentication: anyone who can reach it may use the bus.")
  boolean allowAnonymous;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "Serve wss:// with this PEM certificate (chain) (tlsCert).")
  String tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "The certificate's PEM PKCS#8 private key (tlsKey).")
  String tlsKey;

  @Override
  public Integer call() throws Exception {
    installOutOfMemoryHalt();
    ServerConfig cfg = ServerConfig.defaults();
    try {
      if (config != null) {
        try {
          cfg = cfg.withFile(config);
        } catch (java.nio.file.NoSuchFileException e) {
          System.err.println(
              "qmsgbus server: no config file "
                  + config.toAbsolutePath()
                  + ": check the --config path (or leave it out for the defaults)");
          return CliErrors.USAGE;
        } catch (java.io.IOException e) {
          System.err.println(
              "qmsgbus server: cannot read config file " + config + ": " + CliErrors.message(e));
          return CliErrors.USAGE;
        }
      }
      cfg = cfg.withAll(overrides);
      Map<String, String> security = new LinkedHashMap<>();
      putIfSet(security, "authJwtSecretFile", jwtSecretFile);
      putIfSet(security, "authJwtPublicKey", jwtPublicKey);
      putIfSet(security, "authJwtAudience", jwtAudience);
      putIfSet(security, "authJwtIssuer", jwtIssuer);
      putIfSet(security, "authUsersFile", usersFile);
      putIfSet(security, "allowedOrigins", allowedOrigins);
      putIfSet(security, "tlsCert", tlsCert);
      putIfSet(security, "tlsKey", tlsKey);
      putIfSet(security, "adminTokenFile", adminTokenFile);
      putIfSet(security, "allowedHosts", allowedHosts);
      putIfSet(security, "dataDir", dataDir);
      putIfSet(security, "fsync", fsync);
      putIfSet(security, "cluster", cluster);
      putIfSet(security, "nodeName", nodeName);
      putIfSet(security, "clusterPasswordFile", clusterPasswordFile);
      putIfSet(security, "clusterCaCert", clusterCaCert);
      if (allowAnonymous) {
        security.put("allowAnonymous", "true");
      }
      cfg = cfg.withAll(security);
      if (host != null) {
        cfg = cfg.withHost(host);
      }
      if (port != null) {
        cfg = cfg.withPort(port);
      }
      if (adminHost != null || adminPort != null) {
        cfg =
            cfg.withAdmin(
                adminHost != null ? adminHost : cfg.adminHost(),
                adminPort != null ? adminPort : cfg.adminPort());
      }
    } catch (IllegalArgumentException e) {
      System.err.println("qmsgbus server: " + e.getMessage());
      return 2;
    }
    if (cfg.adminPort() != 0) {
      try {
        AdminServer.checkExposure(cfg.adminHost(), cfg.adminTokenFile());
      } catch (IllegalStateException e) {
        System.err.println("qmsgbus server: " + e.getMessage());
        return 2;
      }
    }
    BusServer server;
    try {
      server = BusServer.start(cfg);
    } catch (IllegalArgumentException e) { // a setting found wrong at start (origins, hosts)
      System.err.println("qmsgbus server: " + e.getMessage());
      return 2;
    } catch (IllegalStateException e) {
      System.err.println("qmsgbus server: " + CliErrors.startFailure(e));
      return CliErrors.missingFile(e) ? CliErrors.USAGE : CliErrors.FAILURE;
    }
    // The admin port was chosen by the user (option, file or --set) rather than left at the
    // default.
    boolean adminChosen =
        adminPort != null || cfg.adminPort() != ServerConfig.defaults().adminPort();
    AdminServer admin = null;
    if (cfg.adminPort() != 0) {
      // a bus on a free port (tests, several buses on one host) gets a free admin port as well
      int wanted = cfg.port() == 0 && !adminChosen ? 0 : cfg.adminPort();
      try {
        admin = AdminServer.start(server, cfg.adminHost(), wanted);
      } catch (IllegalStateException e) {
        if (adminChosen) {
          System.err.println("qmsgbus server: " + CliErrors.startFailure(e));
          server.close();
          return 1;
        }
        System.err.println(
            "qmsgbus server: warning: no admin listener: "
                + e.getMessage()
                + " (use --admin-port to pick another, 0 to turn it off)");
      }
    }
    AdminServer adminServer = admin;
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
                    if (adminServer != null) {
                      adminServer.close();
                    }
                    server.close();
                    stopped.countDown();
                  },
                  "qmsgbus-shutdown");
          t.start();
        });
    System.out.println("listening on " + server.url());
    if (adminServer != null) {
      System.out.println("admin on " + adminServer.url());
    }
    System.out.flush();
    stopped.await();
    return 0;
  }

  /**
   * An {@link OutOfMemoryError} anywhere ends the process (exit status 3) rather than leaving a bus
   * with dead threads and stuck queues; a supervisor can then restart it. The launcher also passes
   * {@code -XX:+ExitOnOutOfMemoryError}, which covers errors nothing catches; this covers the JVM
   * started without it. {@link Runtime#halt} skips shutdown hooks, which could need memory too.
   */
  static void installOutOfMemoryHalt() {
    Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, error) -> {
          if (isOutOfMemory(error)) {
            try {
              System.err.println(
                  "qmsgbus server: out of memory in " + thread.getName() + ", halting");
            } finally {
              Runtime.getRuntime().halt(3);
            }
          }
          if (previous != null) {
            previous.uncaughtException(thread, error);
          } else {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            error.printStackTrace();
          }
        });
  }

  static boolean isOutOfMemory(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }

  /**
   * Appends every setting, from the one table, to the command's help: the footer cannot be written
   * in the annotation without copying the table.
   */
  static void describeSettings(CommandLine server) {
    var usage = server.getCommandSpec().usageMessage();
    List<String> footer = new ArrayList<>(List.of(usage.footer()));
    for (String line : Settings.helpLines(usage.width() - 2)) {
      footer.add(line.replace("%", "%%")); // picocli reads footer lines as format strings
    }
    usage.footer(footer.toArray(String[]::new));
  }

  private static void putIfSet(Map<String, String> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
