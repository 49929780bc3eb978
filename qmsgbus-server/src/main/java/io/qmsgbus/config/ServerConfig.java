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
 * the CLI, a config file and tests can layer overrides on the defaults. The config-file key of each
 * setting is its component name.
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
 * @param maxPacketsPerSecond packets one client may send per second, sustained (a token bucket with
 *     one second of burst); 0 = unlimited
 * @param idleTimeoutSeconds a client silent this long is pinged, and closed if silent as long again
 *     (0 disables)
 * @param shutdownGraceSeconds how long a stop waits for in-flight writes and close frames
 * @param ioThreads event loop threads (0 = one per available core)
 * @param adminHost address of the admin HTTP listener (health, metrics, console)
 * @param adminPort port of the admin HTTP listener (0 disables it)
 * @param authJwtSecretFile file holding the HS256 shared secret (at least 32 bytes; surrounding
 *     whitespace ignored); clients then authenticate with a JWT. Empty: no HS256. Only a file, so
 *     the secret never sits in a config file, on a command line or in {@link #asMap}
 * @param authJwtPublicKey PEM file with an RSA (RS256) or EC P-256 (ES256) public key, or a
 *     certificate holding one, for JWTs signed by an outside issuer. Empty: none
 * @param authJwtAudience when set, a JWT's {@code aud} must contain it
 * @param authJwtIssuer when set, a JWT's {@code iss} must equal it
 * @param authUsersFile users file for HTTP Basic ({@code name:bcrypt-hash:publish:register} lines,
 *     written by {@code qmsgbus passwd}). Empty: no Basic
 * @param allowedOrigins comma-separated browser origins ({@code https://app.example.com}) allowed
 *     to open a WebSocket, or {@code *} for any. Requests without an {@code Origin} header, and
 *     from the server's own address, are always allowed. Empty (default): any origin while
 *     authentication is off, none but those while it is on
 * @param allowAnonymous permits binding a non-loopback address without authentication (default
 *     false: such a server refuses to start)
 * @param tlsCert PEM certificate (chain) file: serve {@code wss://}. Needs {@code tlsKey}
 * @param tlsKey PEM PKCS#8 private key file (unencrypted) of {@code tlsCert}
 * @param maxIdLength longest {@code id} a packet may carry, in characters of its JSON text; longer
 *     is refused with an error (replies echo the id, so it bounds them)
 * @param maxTotalRegistrations registrations of all clients together; a register past it is refused
 * @param maxSkills distinct skills registered on the server at once; a register of a new skill past
 *     it is refused
 * @param maxControlsPerSecond control packets (other than a bare ack) one client may send per
 *     second, sustained (token bucket, one second of burst); 0 = unlimited
 * @param metricsMaxSkills skills with their own per-skill {@code /metrics} series (those with
 *     receivers first, then the others, by name); the rest are summed under {@code skill="_other"}
 * @param upgradeTimeoutSeconds a connection must finish its WebSocket upgrade (TLS and HTTP) within
 *     this long of connecting, or it is closed
 * @param adminTokenFile file holding the bearer token the admin API and console require ({@code
 *     Authorization: Bearer}); empty: no admin login (then the admin listener must bind loopback)
 * @param authMaxFailuresPerAddress failed logins one remote address may make per minute before
 *     further attempts get 429 without a password check
 * @param authMaxFailuresPerUser failed logins for one user name per minute before further attempts
 *     for it get 429 without a password check
 * @param sessionExpirySeconds how long a durable session outlives its connection when the client
 *     names no expiry
 * @param maxSessionExpirySeconds the longest expiry a client may ask for
 * @param maxSessions named sessions on this server, attached or not
 * @param dataDir where durable sessions are stored; empty keeps them in memory only
 * @param fsync when stored records reach the disk: {@code always}, {@code interval} or {@code
 *     never}
 * @param fsyncIntervalMillis how often {@code interval} syncs
 * @param segmentBytes size of one store segment file
 * @param allowedHosts comma-separated host names ({@code Host} header, without port) both listeners
 *     answer besides the defaults (against DNS rebinding). Empty (default): a listener bound to
 *     loopback answers only {@code localhost}, {@code 127.x.x.x} and {@code [::1]}; one bound
 *     elsewhere answers any {@code Host}, but a {@code Host} then never vouches for an {@code
 *     Origin}
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
    long segmentBytes) {

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
          "adminPort",
          "authJwtSecretFile",
          "authJwtPublicKey",
          "authJwtAudience",
          "authJwtIssuer",
          "authUsersFile",
          "allowedOrigins",
          "allowAnonymous",
          "tlsCert",
          "tlsKey",
          "maxIdLength",
          "maxTotalRegistrations",
          "maxSkills",
          "maxControlsPerSecond",
          "metricsMaxSkills",
          "upgradeTimeoutSeconds",
          "adminTokenFile",
          "authMaxFailuresPerAddress",
          "authMaxFailuresPerUser",
          "allowedHosts",
          "sessionExpirySeconds",
          "maxSessionExpirySeconds",
          "maxSessions",
          "dataDir",
          "fsync",
          "fsyncIntervalMillis",
          "segmentBytes");

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
    requireRange("maxIdLength", maxIdLength, 1, 65536);
    requireRange("maxTotalRegistrations", maxTotalRegistrations, 1, Integer.MAX_VALUE);
    requireRange("maxSkills", maxSkills, 1, Integer.MAX_VALUE);
    requireRange("maxControlsPerSecond", maxControlsPerSecond, 0, Integer.MAX_VALUE);
    requireRange("metricsMaxSkills", metricsMaxSkills, 0, 1_000_000);
    requireRange("upgradeTimeoutSeconds", upgradeTimeoutSeconds, 1, 3600);
    requireRange("authMaxFailuresPerAddress", authMaxFailuresPerAddress, 1, Integer.MAX_VALUE);
    requireRange("authMaxFailuresPerUser", authMaxFailuresPerUser, 1, Integer.MAX_VALUE);
    adminTokenFile = orEmpty(adminTokenFile);
    authJwtSecretFile = orEmpty(authJwtSecretFile);
    authJwtPublicKey = orEmpty(authJwtPublicKey);
    authJwtAudience = orEmpty(authJwtAudience);
    authJwtIssuer = orEmpty(authJwtIssuer);
    authUsersFile = orEmpty(authUsersFile);
    allowedOrigins = orEmpty(allowedOrigins);
    allowedHosts = orEmpty(allowedHosts);
    requireRange("maxSessionExpirySeconds", maxSessionExpirySeconds, 0, 315_360_000L);
    requireRange("sessionExpirySeconds", sessionExpirySeconds, 0, maxSessionExpirySeconds);
    requireRange("maxSessions", maxSessions, 0, 10_000_000);
    dataDir = orEmpty(dataDir);
    fsync = fsync == null ? "always" : fsync.trim();
    if (!List.of("always", "interval", "never").contains(fsync)) {
      throw new IllegalArgumentException(
          "fsync must be always, interval or never (got '" + fsync + "')");
    }
    requireRange("fsyncIntervalMillis", fsyncIntervalMillis, 1, 60_000);
    requireRange("segmentBytes", segmentBytes, 1L << 16, 1L << 30);
    tlsCert = orEmpty(tlsCert);
    tlsKey = orEmpty(tlsKey);
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
        8082,
        "",
        "",
        "",
        "",
        "",
        "",
        false,
        "",
        "",
        256,
        1_000_000,
        100_000,
        1_000,
        1_000,
        10,
        "",
        10,
        10,
        "",
        3600,
        604_800, // 7 days
        100_000,
        "",
        "always",
        100,
        64L << 20); // 64 MiB
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
    m.put("authJwtSecretFile", authJwtSecretFile);
    m.put("authJwtPublicKey", authJwtPublicKey);
    m.put("authJwtAudience", authJwtAudience);
    m.put("authJwtIssuer", authJwtIssuer);
    m.put("authUsersFile", authUsersFile);
    m.put("allowedOrigins", allowedOrigins);
    m.put("allowAnonymous", Boolean.toString(allowAnonymous));
    m.put("tlsCert", tlsCert);
    m.put("tlsKey", tlsKey);
    m.put("maxIdLength", Integer.toString(maxIdLength));
    m.put("maxTotalRegistrations", Integer.toString(maxTotalRegistrations));
    m.put("maxSkills", Integer.toString(maxSkills));
    m.put("maxControlsPerSecond", Integer.toString(maxControlsPerSecond));
    m.put("metricsMaxSkills", Integer.toString(metricsMaxSkills));
    m.put("upgradeTimeoutSeconds", Integer.toString(upgradeTimeoutSeconds));
    m.put("adminTokenFile", adminTokenFile);
    m.put("authMaxFailuresPerAddress", Integer.toString(authMaxFailuresPerAddress));
    m.put("authMaxFailuresPerUser", Integer.toString(authMaxFailuresPerUser));
    m.put("allowedHosts", allowedHosts);
    m.put("sessionExpirySeconds", Long.toString(sessionExpirySeconds));
    m.put("maxSessionExpirySeconds", Long.toString(maxSessionExpirySeconds));
    m.put("maxSessions", Integer.toString(maxSessions));
    m.put("dataDir", dataDir);
    m.put("fsync", fsync);
    m.put("fsyncIntervalMillis", Integer.toString(fsyncIntervalMillis));
    m.put("segmentBytes", Long.toString(segmentBytes));
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
        integer(m, "adminPort"),
        m.get("authJwtSecretFile"),
        m.get("authJwtPublicKey"),
        m.get("authJwtAudience"),
        m.get("authJwtIssuer"),
        m.get("authUsersFile"),
        m.get("allowedOrigins"),
        bool(m, "allowAnonymous"),
        m.get("tlsCert"),
        m.get("tlsKey"),
        integer(m, "maxIdLength"),
        integer(m, "maxTotalRegistrations"),
        integer(m, "maxSkills"),
        integer(m, "maxControlsPerSecond"),
        integer(m, "metricsMaxSkills"),
        integer(m, "upgradeTimeoutSeconds"),
        m.get("adminTokenFile"),
        integer(m, "authMaxFailuresPerAddress"),
        integer(m, "authMaxFailuresPerUser"),
        m.get("allowedHosts"),
        longValue(m, "sessionExpirySeconds"),
        longValue(m, "maxSessionExpirySeconds"),
        integer(m, "maxSessions"),
        m.get("dataDir"),
        m.get("fsync"),
        integer(m, "fsyncIntervalMillis"),
        longValue(m, "segmentBytes"));
  }

  public ServerConfig withDataDir(String dir) {
    return with("dataDir", dir);
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
      if (!KEYS.contains(e.getKey())) {
        throw new IllegalArgumentException(
            "unknown setting '" + e.getKey() + "'; known settings: " + String.join(", ", KEYS));
      }
      m.put(e.getKey(), e.getValue().trim());
    }
    return fromMap(m);
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

  private static boolean bool(Map<String, String> m, String key) {
    String v = m.get(key);
    if ("true".equalsIgnoreCase(v)) {
      return true;
    }
    if ("false".equalsIgnoreCase(v)) {
      return false;
    }
    throw new IllegalArgumentException("setting '" + key + "': not true or false: '" + v + "'");
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s.trim();
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
