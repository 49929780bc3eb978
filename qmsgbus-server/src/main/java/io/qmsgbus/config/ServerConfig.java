package io.qmsgbus.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Every server setting with its default. Immutable; {@code with*} methods return a changed copy so
 * the CLI, a config file and tests can layer overrides on the defaults. The config-file key of
 * each setting is its component name.
 *
 * @param host address to bind (default 127.0.0.1: listen on every interface only when asked)
 * @param port WebSocket port (default 8081; 0 picks a free port)
 * @param maxFrameBytes largest message (a frame, or fragments reassembled) accepted; larger closes
 *     the connection with 1009
 * @param maxSkillLength longest skill name, in characters
 * @param maxQueuePackets per-client queue bound in packets
 * @param maxQueueBytes per-client queue bound in bytes
 * @param overflowPolicy what happens when a client's queue bound is hit
 * @param maxTotalQueuedBytes all clients' queued bytes together; near it the server stops reading
 *     from publishers until receivers drain
 * @param maxRegistrations skills one client may register for
 * @param maxConnections connections the server holds at once
 * @param maxConnectionsPerAddress connections one remote IP address may hold at once
 * @param maxPacketsPerSecond packets one client may send per second, sustained (a token bucket
 *     with one second of burst); 0 = unlimited
 * @param idleTimeoutSeconds a client silent this long is pinged, and closed if silent as long
 *     again (0 disables)
 * @param shutdownGraceSeconds how long a stop waits for in-flight writes and close frames
 * @param ioThreads event loop threads (0 = 2 x cores, Netty's default)
 * @param adminHost address of the admin HTTP listener (health, metrics, console)
 * @param adminPort port of the admin HTTP listener (0 disables it)
 */
public record ServerConfig(
    String host,
    int port,
    int maxFrameBytes,
    int maxSkillLength,
    int maxQueuePackets,
    long maxQueueBytes,
    OverflowPolicy overflowPolicy,
    long maxTotalQueuedBytes,
    int maxRegistrations,
    int maxConnections,
    int maxConnectionsPerAddress,
    int maxPacketsPerSecond,
    int idleTimeoutSeconds,
    int shutdownGraceSeconds,
    int ioThreads,
    String adminHost,
    int adminPort) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8081;

  /** The config-file keys, in documentation order. */
  public static final List<String> KEYS =
      List.of(
          "host",
          "port",
          "maxFrameBytes",
          "maxSkillLength",
          "maxQueuePackets",
          "maxQueueBytes",
          "overflowPolicy",
          "maxTotalQueuedBytes",
          "maxRegistrations",
          "maxConnections",
          "maxConnectionsPerAddress",
          "maxPacketsPerSecond",
          "idleTimeoutSeconds",
          "shutdownGraceSeconds",
          "ioThreads",
          "adminHost",
          "adminPort");

  public ServerConfig {
    requireText("host", host);
    requireText("adminHost", adminHost);
    requireRange("port", port, 0, 65535);
    requireRange("maxFrameBytes", maxFrameBytes, 64, Integer.MAX_VALUE);
    requireRange("maxSkillLength", maxSkillLength, 1, 1 << 20);
    requireRange("maxQueuePackets", maxQueuePackets, 1, Integer.MAX_VALUE);
    requireRange("maxQueueBytes", maxQueueBytes, 1, Long.MAX_VALUE);
    if (overflowPolicy == null) {
      throw new IllegalArgumentException("overflowPolicy must be set");
    }
    requireRange("maxTotalQueuedBytes", maxTotalQueuedBytes, 1, Long.MAX_VALUE);
    requireRange("maxRegistrations", maxRegistrations, 1, Integer.MAX_VALUE);
    requireRange("maxConnections", maxConnections, 1, Integer.MAX_VALUE);
    requireRange("maxConnectionsPerAddress", maxConnectionsPerAddress, 1, Integer.MAX_VALUE);
    requireRange("maxPacketsPerSecond", maxPacketsPerSecond, 0, Integer.MAX_VALUE);
    requireRange("idleTimeoutSeconds", idleTimeoutSeconds, 0, Integer.MAX_VALUE);
    requireRange("shutdownGraceSeconds", shutdownGraceSeconds, 0, 3600);
    requireRange("ioThreads", ioThreads, 0, 1024);
    requireRange("adminPort", adminPort, 0, 65535);
  }

  /** The defaults, documented in the README's "Configuration and limits" table. */
  public static ServerConfig defaults() {
    return new ServerConfig(
        DEFAULT_HOST,
        DEFAULT_PORT,
        1 << 20, // 1 MiB
        256,
        10_000,
        64L << 20, // 64 MiB
        OverflowPolicy.DROP_OLDEST,
        1L << 30, // 1 GiB
        1_000,
        100_000,
        10_000,
        0,
        60,
        5,
        0,
        DEFAULT_HOST,
        8082);
  }

  public ServerConfig withHost(String value) {
    return with("host", value);
  }

  public ServerConfig withPort(int value) {
    return with("port", Integer.toString(value));
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

  public ServerConfig withMaxQueueBytes(long value) {
    return with("maxQueueBytes", Long.toString(value));
  }

  public ServerConfig withOverflowPolicy(OverflowPolicy value) {
    return with("overflowPolicy", value.label());
  }

  public ServerConfig withMaxTotalQueuedBytes(long value) {
    return with("maxTotalQueuedBytes", Long.toString(value));
  }

  public ServerConfig withMaxRegistrations(int value) {
    return with("maxRegistrations", Integer.toString(value));
  }

  public ServerConfig withMaxConnections(int value) {
    return with("maxConnections", Integer.toString(value));
  }

  public ServerConfig withMaxConnectionsPerAddress(int value) {
    return with("maxConnectionsPerAddress", Integer.toString(value));
  }

  public ServerConfig withMaxPacketsPerSecond(int value) {
    return with("maxPacketsPerSecond", Integer.toString(value));
  }

  public ServerConfig withIdleTimeoutSeconds(int value) {
    return with("idleTimeoutSeconds", Integer.toString(value));
  }

  public ServerConfig withShutdownGraceSeconds(int value) {
    return with("shutdownGraceSeconds", Integer.toString(value));
  }

  public ServerConfig withIoThreads(int value) {
    return with("ioThreads", Integer.toString(value));
  }

  public ServerConfig withAdmin(String adminHostValue, int adminPortValue) {
    return with("adminHost", adminHostValue).with("adminPort", Integer.toString(adminPortValue));
  }

  /** Every setting by its key, as text (the inverse of {@link #with}). */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("host", host);
    m.put("port", Integer.toString(port));
    m.put("maxFrameBytes", Integer.toString(maxFrameBytes));
    m.put("maxSkillLength", Integer.toString(maxSkillLength));
    m.put("maxQueuePackets", Integer.toString(maxQueuePackets));
    m.put("maxQueueBytes", Long.toString(maxQueueBytes));
    m.put("overflowPolicy", overflowPolicy.label());
    m.put("maxTotalQueuedBytes", Long.toString(maxTotalQueuedBytes));
    m.put("maxRegistrations", Integer.toString(maxRegistrations));
    m.put("maxConnections", Integer.toString(maxConnections));
    m.put("maxConnectionsPerAddress", Integer.toString(maxConnectionsPerAddress));
    m.put("maxPacketsPerSecond", Integer.toString(maxPacketsPerSecond));
    m.put("idleTimeoutSeconds", Integer.toString(idleTimeoutSeconds));
    m.put("shutdownGraceSeconds", Integer.toString(shutdownGraceSeconds));
    m.put("ioThreads", Integer.toString(ioThreads));
    m.put("adminHost", adminHost);
    m.put("adminPort", Integer.toString(adminPort));
    return m;
  }

  /** Returns a copy with one setting changed, by its config-file key. */
  public ServerConfig with(String key, String value) {
    if (!KEYS.contains(key)) {
      throw new IllegalArgumentException(
          "unknown setting '" + key + "'; known settings: " + String.join(", ", KEYS));
    }
    Map<String, String> m = asMap();
    m.put(key, value.trim());
    return fromMap(m);
  }

  private static ServerConfig fromMap(Map<String, String> m) {
    return new ServerConfig(
        m.get("host"),
        integer(m, "port"),
        integer(m, "maxFrameBytes"),
        integer(m, "maxSkillLength"),
        integer(m, "maxQueuePackets"),
        longValue(m, "maxQueueBytes"),
        OverflowPolicy.parse(m.get("overflowPolicy")),
        longValue(m, "maxTotalQueuedBytes"),
        integer(m, "maxRegistrations"),
        integer(m, "maxConnections"),
        integer(m, "maxConnectionsPerAddress"),
        integer(m, "maxPacketsPerSecond"),
        integer(m, "idleTimeoutSeconds"),
        integer(m, "shutdownGraceSeconds"),
        integer(m, "ioThreads"),
        m.get("adminHost"),
        integer(m, "adminPort"));
  }

  /**
   * Layers a Java properties file ({@code key = value} lines, {@code #} comments) over this
   * config. Unknown keys are an error, so a typo does not pass silently.
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

  private static int integer(Map<String, String> m, String key) {
    try {
      return Integer.parseInt(m.get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "setting '" + key + "': not a number: '" + m.get(key) + "'", e);
    }
  }

  private static long longValue(Map<String, String> m, String key) {
    try {
      return Long.parseLong(m.get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "setting '" + key + "': not a number: '" + m.get(key) + "'", e);
    }
  }

  private static void requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ", was " + value);
    }
  }
}
