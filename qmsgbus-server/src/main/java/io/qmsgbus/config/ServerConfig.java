package io.qmsgbus.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;

/**
 * Every server setting with its default. Immutable; {@code with*} methods return a changed copy so
 * the CLI, a config file and tests can layer overrides on the defaults.
 *
 * @param host address to bind (default 127.0.0.1: listen on every interface only when asked)
 * @param port WebSocket port (default 8081; 0 picks a free port)
 * @param maxFrameBytes largest frame (or reassembled message) accepted; larger closes with 1009
 * @param maxSkillLength longest skill name, in characters
 * @param maxQueuePackets per-client queue bound in packets
 * @param maxQueueBytes per-client queue bound in bytes
 * @param overflowPolicy what happens when a client's queue bound is hit
 * @param maxRegistrations skills one client may register for
 * @param maxConnections connections the server accepts at once
 * @param idleTimeoutSeconds a client silent this long is pinged, and closed if silent for as long
 *     again (0 disables)
 * @param ioThreads event loop threads (0 = 2 x cores, Netty's default)
 */
public record ServerConfig(
    String host,
    int port,
    int maxFrameBytes,
    int maxSkillLength,
    int maxQueuePackets,
    long maxQueueBytes,
    OverflowPolicy overflowPolicy,
    int maxRegistrations,
    int maxConnections,
    int idleTimeoutSeconds,
    int ioThreads) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8081;

  /** The keys a config file may hold; anything else is refused so typos do not pass silently. */
  public static final Set<String> KEYS =
      Set.of(
          "host",
          "port",
          "maxFrameBytes",
          "maxSkillLength",
          "maxQueuePackets",
          "maxQueueBytes",
          "overflowPolicy",
          "maxRegistrations",
          "maxConnections",
          "idleTimeoutSeconds",
          "ioThreads");

  public ServerConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    requireRange("port", port, 0, 65535);
    requireRange("maxFrameBytes", maxFrameBytes, 64, Integer.MAX_VALUE);
    requireRange("maxSkillLength", maxSkillLength, 1, 1 << 20);
    requireRange("maxQueuePackets", maxQueuePackets, 1, Integer.MAX_VALUE);
    if (maxQueueBytes < 1) {
      throw new IllegalArgumentException("maxQueueBytes must be >= 1, was " + maxQueueBytes);
    }
    if (overflowPolicy == null) {
      throw new IllegalArgumentException("overflowPolicy must be set");
    }
    requireRange("maxRegistrations", maxRegistrations, 1, Integer.MAX_VALUE);
    requireRange("maxConnections", maxConnections, 1, Integer.MAX_VALUE);
    requireRange("idleTimeoutSeconds", idleTimeoutSeconds, 0, Integer.MAX_VALUE);
    requireRange("ioThreads", ioThreads, 0, 1024);
  }

  /** The defaults, documented in the README's "Configuration and limits" table. */
  public static ServerConfig defaults() {
    return new ServerConfig(
        DEFAULT_HOST,
        DEFAULT_PORT,
        1 << 20,
        256,
        10_000,
        64L << 20,
        OverflowPolicy.DROP_OLDEST,
        1_000,
        100_000,
        60,
        0);
  }

  public ServerConfig withHost(String value) {
    return new ServerConfig(
        value,
        port,
        maxFrameBytes,
        maxSkillLength,
        maxQueuePackets,
        maxQueueBytes,
        overflowPolicy,
        maxRegistrations,
        maxConnections,
        idleTimeoutSeconds,
        ioThreads);
  }

  public ServerConfig withPort(int value) {
    return new ServerConfig(
        host,
        value,
        maxFrameBytes,
        maxSkillLength,
        maxQueuePackets,
        maxQueueBytes,
        overflowPolicy,
        maxRegistrations,
        maxConnections,
        idleTimeoutSeconds,
        ioThreads);
  }

  public ServerConfig withMaxFrameBytes(int value) {
    return with("maxFrameBytes", Integer.toString(value));
  }

  public ServerConfig withMaxSkillLength(int value) {
    return with("maxSkillLength", Integer.toString(value));
  }

  public ServerConfig withMaxQueuePackets(int value) {
    return with("maxQueuePackets", Integer.toString(value));
  }

  public ServerConfig withOverflowPolicy(OverflowPolicy value) {
    return with("overflowPolicy", value.label());
  }

  public ServerConfig withMaxRegistrations(int value) {
    return with("maxRegistrations", Integer.toString(value));
  }

  public ServerConfig withMaxConnections(int value) {
    return with("maxConnections", Integer.toString(value));
  }

  public ServerConfig withIdleTimeoutSeconds(int value) {
    return with("idleTimeoutSeconds", Integer.toString(value));
  }

  public ServerConfig withIoThreads(int value) {
    return with("ioThreads", Integer.toString(value));
  }

  /** Returns a copy with one setting changed, by its config-file key. */
  public ServerConfig with(String key, String value) {
    String v = value.trim();
    try {
      return switch (key) {
        case "host" -> withHost(v);
        case "port" -> withPort(Integer.parseInt(v));
        case "maxFrameBytes" -> copy(Integer.parseInt(v), maxSkillLength, maxQueuePackets, maxQueueBytes, overflowPolicy, maxRegistrations, maxConnections, idleTimeoutSeconds, ioThreads);
        case "maxSkillLength" -> copy(maxFrameBytes, Integer.parseInt(v), maxQueuePackets, maxQueueBytes, overflowPolicy, maxRegistrations, maxConnections, idleTimeoutSeconds, ioThreads);
        case "maxQueuePackets" -> copy(maxFrameBytes, maxSkillLength, Integer.parseInt(v), maxQueueBytes, overflowPolicy, maxRegistrations, maxConnections, idleTimeoutSeconds, ioThreads);
        case "maxQueueBytes" -> copy(maxFrameBytes, maxSkillLength, maxQueuePackets, Long.parseLong(v), overflowPolicy, maxRegistrations, maxConnections, idleTimeoutSeconds, ioThreads);
        case "overflowPolicy" -> copy(maxFrameBytes, maxSkillLength, maxQueuePackets, maxQueueBytes, OverflowPolicy.parse(v), maxRegistrations, maxConnections, idleTimeoutSeconds, ioThreads);
        case "maxRegistrations" -> copy(maxFrameBytes, maxSkillLength, maxQueuePackets, maxQueueBytes, overflowPolicy, Integer.parseInt(v), maxConnections, idleTimeoutSeconds, ioThreads);
        case "maxConnections" -> copy(maxFrameBytes, maxSkillLength, maxQueuePackets, maxQueueBytes, overflowPolicy, maxRegistrations, Integer.parseInt(v), idleTimeoutSeconds, ioThreads);
        case "idleTimeoutSeconds" -> copy(maxFrameBytes, maxSkillLength, maxQueuePackets, maxQueueBytes, overflowPolicy, maxRegistrations, maxConnections, Integer.parseInt(v), ioThreads);
        case "ioThreads" -> copy(maxFrameBytes, maxSkillLength, maxQueuePackets, maxQueueBytes, overflowPolicy, maxRegistrations, maxConnections, idleTimeoutSeconds, Integer.parseInt(v));
        default -> throw new IllegalArgumentException(
            "unknown setting '" + key + "'; known settings: " + String.join(", ", KEYS.stream().sorted().toList()));
      };
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting '" + key + "': not a number: '" + v + "'", e);
    }
  }

  private ServerConfig copy(
      int frame, int skillLen, int qPackets, long qBytes, OverflowPolicy policy, int regs, int conns, int idle, int threads) {
    return new ServerConfig(host, port, frame, skillLen, qPackets, qBytes, policy, regs, conns, idle, threads);
  }

  /**
   * Layers a Java properties file ({@code key = value} lines, {@code #} comments) over this
   * config. Unknown keys are an error.
   */
  public ServerConfig withFile(Path file) throws IOException {
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      props.load(r);
    }
    ServerConfig c = this;
    for (String key : props.stringPropertyNames().stream().sorted().toList()) {
      try {
        c = c.with(key, props.getProperty(key));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
    }
    return c;
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ", was " + value);
    }
  }
}
