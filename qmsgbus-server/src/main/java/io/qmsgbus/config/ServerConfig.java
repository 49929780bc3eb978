package io.qmsgbus.config;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Every server setting, typed. Immutable; {@code with*} methods return a changed copy so the CLI, a
 * config file and tests can layer overrides on the defaults. Each component is one row of {@link
 * Settings#ALL}, under the same name: that table gives its default, bounds and meaning, and the
 * copies here are built from it (by the record's canonical constructor, found once by reflection),
 * so a setting is written in two places only, its row and its component. Build instances through
 * {@link #defaults()} and the {@code with} methods: the table's bounds are checked there; the
 * constructor checks only what spans several settings.
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
    int adminPort,
    String authJwtSecretFile,
    String authJwtPublicKey,
    String authJwtAudience,
    String authJwtIssuer,
    String authUsersFile,
    String allowedOrigins,
    boolean allowAnonymous,
    String tlsCert,
    String tlsKey,
    int maxIdLength,
    int maxTotalRegistrations,
    int maxSkills,
    int maxControlsPerSecond,
    int metricsMaxSkills,
    int upgradeTimeoutSeconds,
    String adminTokenFile,
    int authMaxFailuresPerAddress,
    int authMaxFailuresPerUser,
    String allowedHosts,
    long sessionExpirySeconds,
    long maxSessionExpirySeconds,
    int maxSessions,
    String dataDir,
    String fsync,
    int fsyncIntervalMillis,
    long segmentBytes,
    int receiptTimeoutMillis,
    int maxGroupQueuePackets,
    String cluster,
    String clusterPasswordFile,
    String clusterCaCert,
    String nodeName,
    String clusterPrefix,
    int clusterUnsubscribeDelayMillis,
    int clusterSubscribeTimeoutMillis,
    long clusterMaxPendingBytes,
    int clusterMaxPendingCommands) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8081;

  /** The config-file keys, in documentation order. */
  public static final List<String> KEYS = Settings.keys();

  private static final RecordComponent[] COMPONENTS = ServerConfig.class.getRecordComponents();
  private static final Constructor<ServerConfig> CANONICAL = canonical();
  private static final ServerConfig DEFAULTS = fromTable();

  public ServerConfig {
    requireText("host", host);
    requireText("adminHost", adminHost);
    if (!nodeName.isEmpty() && !nodeName.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "nodeName: letters, digits, '.', '_' and '-', at most 64 characters; got '"
              + nodeName
              + "'");
    }
    if (!clusterPrefix.matches("[A-Za-z0-9._:-]{1,64}")) {
      throw new IllegalArgumentException(
          "clusterPrefix: 1-64 letters, digits, '.', '_', ':' and '-'; got '"
              + clusterPrefix
              + "'");
    }
    if (!cluster.isEmpty() && !cluster.startsWith("redis://") && !cluster.startsWith("rediss://")) {
      throw new IllegalArgumentException(
          "cluster: a Redis URL, redis://HOST:PORT or rediss://HOST:PORT; got '" + cluster + "'");
    }
    if (overflowPolicy == null) {
      throw new IllegalArgumentException("overflowPolicy must be set");
    }
    if (sessionExpirySeconds > maxSessionExpirySeconds) {
      throw new IllegalArgumentException(
          "sessionExpirySeconds ("
              + sessionExpirySeconds
              + ") must not exceed maxSessionExpirySeconds ("
              + maxSessionExpirySeconds
              + ")");
    }
    if (tlsCert.isEmpty() != tlsKey.isEmpty()) {
      throw new IllegalArgumentException(
          "tlsCert and tlsKey go together: give both (PEM certificate and PEM private key) or"
              + " neither");
    }
    if ((!authJwtAudience.isEmpty() || !authJwtIssuer.isEmpty())
        && authJwtSecretFile.isEmpty()
        && authJwtPublicKey.isEmpty()) {
      throw new IllegalArgumentException(
          "authJwtAudience/authJwtIssuer need a JWT key: set authJwtSecretFile or"
              + " authJwtPublicKey");
    }
  }

  /** Whether clients must authenticate (a JWT key or a users file is configured). */
  public boolean authEnabled() {
    return !authJwtSecretFile.isEmpty() || !authJwtPublicKey.isEmpty() || !authUsersFile.isEmpty();
  }

  /** Whether the server speaks TLS ({@code wss://}). */
  public boolean tlsEnabled() {
    return !tlsCert.isEmpty();
  }

  /** The defaults: the table's, as the README's "Configuration and limits" shows them. */
  public static ServerConfig defaults() {
    return DEFAULTS;
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

  /** With HS256 tokens signed by the secret in {@code file}. */
  public ServerConfig withJwtSecretFile(String file) {
    return with("authJwtSecretFile", file);
  }

  /** With Basic authentication against {@code file}. */
  public ServerConfig withUsersFile(String file) {
    return with("authUsersFile", file);
  }

  public ServerConfig withAllowedOrigins(String commaList) {
    return with("allowedOrigins", commaList);
  }

  public ServerConfig withAllowedHosts(String commaList) {
    return with("allowedHosts", commaList);
  }

  public ServerConfig withAllowAnonymous(boolean value) {
    return with("allowAnonymous", Boolean.toString(value));
  }

  /** With TLS from PEM files. */
  public ServerConfig withTls(String certFile, String keyFile) {
    Map<String, String> m = asMap();
    m.put("tlsCert", certFile);
    m.put("tlsKey", keyFile);
    return fromMap(m);
  }

  /** Every setting by its key, as text (the inverse of {@link #with}). */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String key : KEYS) {
      m.put(key, null);
    }
    try {
      for (RecordComponent c : COMPONENTS) {
        Object v = c.getAccessor().invoke(this);
        m.put(c.getName(), v instanceof OverflowPolicy p ? p.label() : String.valueOf(v));
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
    return m;
  }

  /** Returns a copy with one setting changed, by its config-file key. */
  public ServerConfig with(String key, String value) {
    return withAll(Map.of(key, value));
  }

  private static ServerConfig fromTable() {
    Map<String, String> m = new LinkedHashMap<>();
    for (Setting s : Settings.ALL) {
      m.put(s.key(), s.defaultValue());
    }
    return fromMap(m);
  }

  /** Parses and bounds-checks every value by its row, then builds the record. */
  private static ServerConfig fromMap(Map<String, String> m) {
    Object[] args = new Object[COMPONENTS.length];
    for (int i = 0; i < COMPONENTS.length; i++) {
      String key = COMPONENTS[i].getName();
      Object v = Settings.named(key).parse(m.get(key));
      args[i] =
          COMPONENTS[i].getType() == OverflowPolicy.class ? OverflowPolicy.parse((String) v) : v;
    }
    try {
      return CANONICAL.newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The canonical constructor; also checks that the components and the table name the same
   * settings, so a setting added to one and not the other fails at the first use of the class.
   */
  private static Constructor<ServerConfig> canonical() {
    List<String> names = Arrays.stream(COMPONENTS).map(RecordComponent::getName).toList();
    if (!Set.copyOf(names).equals(Set.copyOf(Settings.keys()))) {
      throw new IllegalStateException(
          "ServerConfig components and Settings.ALL differ: " + names + " vs " + Settings.keys());
    }
    try {
      return ServerConfig.class.getDeclaredConstructor(
          Arrays.stream(COMPONENTS).map(RecordComponent::getType).toArray(Class<?>[]::new));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
  }

  public ServerConfig withDataDir(String dir) {
    return with("dataDir", dir);
  }

  /** Joins the cluster behind the Redis at {@code redisUrl} as {@code node}. */
  public ServerConfig withCluster(String redisUrl, String node) {
    return with("cluster", redisUrl).with("nodeName", node);
  }

  /** Whether this node shares skill traffic with others through Redis. */
  public boolean clusterEnabled() {
    return !cluster.isEmpty();
  }

  /**
   * Layers a Java properties file ({@code key = value} lines, {@code #} comments) over this config.
   * Unknown keys are an error, so a typo does not pass silently.
   */
  public ServerConfig withFile(Path file) throws IOException {
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      props.load(r);
    }
    Map<String, String> changes = new LinkedHashMap<>();
    for (String key : props.stringPropertyNames().stream().sorted().toList()) {
      changes.put(key, props.getProperty(key));
    }
    try {
      return withAll(changes);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns a copy with several settings changed at once, by key; settings that only make sense
   * together (tlsCert and tlsKey) are checked together.
   */
  public ServerConfig withAll(Map<String, String> changes) {
    Map<String, String> m = asMap();
    for (Map.Entry<String, String> e : changes.entrySet()) {
      Settings.named(e.getKey()); // an unknown key is an error, so a typo does not pass silently
      m.put(e.getKey(), e.getValue().trim());
    }
    return fromMap(m);
  }

  private static void requireText(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }
}
