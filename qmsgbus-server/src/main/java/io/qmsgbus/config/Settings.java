package io.qmsgbus.config;

import static io.qmsgbus.config.Setting.bool;
import static io.qmsgbus.config.Setting.choice;
import static io.qmsgbus.config.Setting.integer;
import static io.qmsgbus.config.Setting.longValue;
import static io.qmsgbus.config.Setting.text;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table of server settings, in documentation order. A setting is added here and as a {@link
 * ServerConfig} component of the same name (a test and {@link ServerConfig}'s own start-up check
 * hold the two together); its parsing, bounds, default, {@code qmsgbus server --help} and the
 * README's configuration table all come from this row.
 */
public final class Settings {

  private static final int MAX = Integer.MAX_VALUE;
  private static final long LMAX = Long.MAX_VALUE;

  /** Every setting, in the order the README and {@code --help} list them. */
  public static final List<Setting> ALL =
      List.of(
          text(
              "host",
              ServerConfig.DEFAULT_HOST,
              "address to bind; binding another needs authentication (see \"Securing the bus\")"),
          integer(
              "port", ServerConfig.DEFAULT_PORT, 0, 65535, "WebSocket port (`0`: any free port)"),
          integer(
              "maxFrameBytes",
              1 << 20,
              64,
              MAX,
              "largest message, fragments reassembled; bigger: close 1009"),
          integer(
              "maxSkillLength", 256, 1, 1 << 20, "characters in a skill name; longer: error reply"),
          integer("maxQueuePackets", 10_000, 1, MAX, "per-client queue bound, packets"),
          longValue("maxQueueBytes", 64L << 20, 1, LMAX, "per-client queue bound, bytes"),
          choice(
              "overflowPolicy",
              "drop-oldest",
              List.of("drop-oldest", "drop-newest", "disconnect"),
              "at the bound: `drop-oldest`, `drop-newest`, or `disconnect` (close 1008 \"slow"
                  + " consumer\")"),
          longValue(
              "maxTotalQueuedBytes",
              1L << 30,
              1,
              LMAX,
              "all queues together; when spent, publish-only connections stop being read until"
                  + " queues drain to 3/4"),
          integer(
              "maxRegistrations",
              1_000,
              1,
              MAX,
              "skills per client; more: the packet is rejected whole (a register list longer than"
                  + " this is refused before it is read further)"),
          integer(
              "maxTotalRegistrations",
              1_000_000,
              1,
              MAX,
              "registrations of all clients together; a register past it is refused with an"
                  + " error"),
          integer(
              "receiptTimeoutMillis",
              30_000,
              1,
              86_400_000,
              "a delivery receipt is sent at the latest this long after its packet, counting"
                  + " receivers not heard from as pending"),
          integer(
              "maxGroupQueuePackets",
              10_000,
              1,
              MAX,
              "packets a receiver group holds while none of its members is free; past it the"
                  + " oldest is dropped (counted)"),
          integer(
              "maxSkills",
              100_000,
              1,
              MAX,
              "distinct skills registered on the server at once; registering a new one past it is"
                  + " refused"),
          integer(
              "maxIdLength",
              256,
              1,
              65536,
              "characters of a packet's `id` (as JSON text); longer: error reply without the id"),
          integer(
              "maxControlsPerSecond",
              1_000,
              0,
              MAX,
              "control packets per client per second other than a bare ack (token bucket, 1 s"
                  + " burst; `0`: unlimited); excess: error reply, not applied"),
          integer(
              "metricsMaxSkills",
              1_000,
              0,
              1_000_000,
              "skills with their own metrics series; only registered skills get one, the rest"
                  + " count under `_other`"),
          integer("maxConnections", 100_000, 1, MAX, "connections at once"),
          integer(
              "maxConnectionsPerAddress",
              10_000,
              1,
              MAX,
              "connections at once from one IP address"),
          integer(
              "maxPacketsPerSecond",
              0,
              0,
              MAX,
              "data packets per client per second (token bucket, 1 s burst; `0`: unlimited);"
                  + " excess is not forwarded, and an error reply says so at most once a second"),
          integer(
              "idleTimeoutSeconds",
              60,
              0,
              MAX,
              "a silent client is pinged; silent as long again: closed (also cuts half-open TCP;"
                  + " `0`: never)"),
          integer(
              "shutdownGraceSeconds",
              5,
              0,
              3600,
              "how long a stop lets close frames and in-flight writes go out"),
          integer("ioThreads", 0, 0, 1024, "event loop threads (`0`: one per core)"),
          text(
              "adminHost",
              ServerConfig.DEFAULT_HOST,
              "address of the admin HTTP listener (health, metrics, JSON API, console); a"
                  + " non-loopback one needs `adminTokenFile`"),
          integer("adminPort", 8082, 0, 65535, "port of the admin HTTP listener (`0`: none)"),
          text(
              "adminTokenFile",
              "",
              "file with the token every admin path but `/healthz` and `/readyz` requires"
                  + " (`Authorization: Bearer`, or the console's cookie set by `/?token=`)"),
          text(
              "allowedHosts",
              "",
              "`Host` names both listeners answer, comma-separated; empty: loopback names only on"
                  + " a loopback bind, any name elsewhere (but a `Host` then never vouches for an"
                  + " `Origin`)"),
          integer(
              "upgradeTimeoutSeconds",
              10,
              1,
              3600,
              "from connect to finished WebSocket handshake (TLS and login included); later:"
                  + " closed"),
          text(
              "authJwtSecretFile",
              "",
              "file holding the HS256 secret (32 bytes or more); clients then need a JWT (see"
                  + " `qmsgbus token`)"),
          text(
              "authJwtPublicKey",
              "",
              "PEM RSA or EC P-256 public key (or certificate) of an outside issuer: RS256/ES256"
                  + " JWTs"),
          text("authJwtAudience", "", "when set, a JWT's `aud` must contain it"),
          text("authJwtIssuer", "", "when set, a JWT's `iss` must equal it"),
          text(
              "authUsersFile",
              "",
              "users file for HTTP Basic logins (`name:bcrypt-hash:publish:register` lines,"
                  + " written by `qmsgbus passwd`)"),
          integer(
              "authMaxFailuresPerAddress",
              10,
              1,
              MAX,
              "failed or pending Basic logins per address per minute; more: `429` with"
                  + " `Retry-After`, no bcrypt"),
          integer(
              "authMaxFailuresPerUser",
              10,
              1,
              MAX,
              "the same per user name (not applied to addresses without failures)"),
          text(
              "allowedOrigins",
              "",
              "browser origins allowed to connect, comma-separated, or `*`; requests without"
                  + " `Origin` and from the bus's own address always pass; empty: any while"
                  + " authentication is off, none else while it is on"),
          bool(
              "allowAnonymous",
              false,
              "let a non-loopback `host` run without authentication (anyone who reaches it may"
                  + " use the bus)"),
          text("tlsCert", "", "PEM certificate (chain): serve `wss://`; needs `tlsKey`"),
          text("tlsKey", "", "PEM PKCS#8 private key (unencrypted) of `tlsCert`"),
          longValue(
              "sessionExpirySeconds",
              3600,
              0,
              315_360_000L,
              "how long a named session outlives its connection when the client names no"
                  + " `expiry` (at most `maxSessionExpirySeconds`)"),
          longValue(
              "maxSessionExpirySeconds",
              604_800,
              0,
              315_360_000L,
              "the longest `expiry` a client may ask for, 7 days by default (longer is capped)"),
          integer(
              "maxSessions",
              100_000,
              0,
              10_000_000,
              "named sessions at once, attached or not; a new name past it is refused"),
          text(
              "dataDir",
              "",
              "where durable sessions are stored (`--data-dir`); empty: in memory only (they"
                  + " survive reconnects, not a restart)"),
          choice(
              "fsync",
              "always",
              List.of("always", "interval", "never"),
              "with `dataDir` (`--fsync`): `always` (synced before a confirm; one sync per"
                  + " batch), `interval` (every `fsyncIntervalMillis`; confirms wait for it),"
                  + " `never` (handed to the OS: survives kill -9, not power loss)"),
          integer("fsyncIntervalMillis", 100, 1, 60_000, "how often `fsync = interval` syncs"),
          longValue(
              "segmentBytes",
              64L << 20,
              1L << 16,
              1L << 30,
              "size of one store segment file; dead segments are deleted oldest first"),
          text(
              "cluster",
              "",
              "Redis URL (`--cluster`; `redis://HOST:PORT`, `rediss://` for TLS, `/DB` optional)"
                  + " through which nodes share skill traffic; empty: one node on its own"),
          text(
              "clusterPasswordFile",
              "",
              "file whose first line is the Redis password (`AUTH`), kept out of the URL and ps"),
          text(
              "clusterCaCert",
              "",
              "with `rediss://`: PEM certificate(s) to trust for Redis (a private CA or a"
                  + " self-signed certificate); empty: the JDK's trusted CAs"),
          text(
              "nodeName",
              "",
              "this node's name in the cluster (`--node-name`; letters, digits, `.`, `_`, `-`, at"
                  + " most 64); empty: a random id"),
          text(
              "clusterPrefix",
              "qmsgbus",
              "first part of every Redis channel and key, so several buses can share one Redis"),
          integer(
              "clusterUnsubscribeDelayMillis",
              5_000,
              0,
              3_600_000,
              "how long a node stays subscribed in Redis after its last receiver of a skill left"),
          integer(
              "clusterSubscribeTimeoutMillis",
              5_000,
              1,
              600_000,
              "a register's reply waits at most this long for the Redis subscription (it is sent"
                  + " at once while Redis is unreachable)"),
          longValue(
              "clusterMaxPendingBytes",
              64L << 20,
              1L << 16,
              LMAX,
              "bytes sent to Redis and not yet acknowledged; past it, publishing to other nodes"
                  + " fails fast (counted; a confirm says so)"),
          integer(
              "clusterMaxPendingCommands",
              100_000,
              16,
              MAX,
              "Redis commands queued or in flight on the publish link (Lettuce's request queue);"
                  + " past it, publishing to other nodes fails fast"));

  private static final Map<String, Setting> BY_KEY = index();

  private Settings() {}

  /** The setting with this key; the exception lists the known keys. */
  public static Setting named(String key) {
    Setting s = BY_KEY.get(key);
    if (s == null) {
      throw new IllegalArgumentException(
          "unknown setting '" + key + "'; known settings: " + String.join(", ", keys()));
    }
    return s;
  }

  public static boolean exists(String key) {
    return BY_KEY.containsKey(key);
  }

  /** The keys, in documentation order. */
  public static List<String> keys() {
    return List.copyOf(BY_KEY.keySet());
  }

  /** The README's configuration table, in Markdown. */
  public static String markdownTable() {
    StringBuilder b = new StringBuilder("| key | default | meaning |\n| --- | --- | --- |\n");
    for (Setting s : ALL) {
      String def =
          s.defaultShown().equals("empty") ? "empty" : "`" + s.defaultValue() + "`" + s.gloss();
      b.append("| `")
          .append(s.key())
          .append("` | ")
          .append(def)
          .append(" | ")
          .append(s.doc().replace("|", "\\|"))
          .append(" |\n");
    }
    return b.toString();
  }

  /**
   * The settings for a terminal: each key with its default, then its meaning wrapped to {@code
   * width} columns and indented.
   */
  public static List<String> helpLines(int width) {
    List<String> lines = new ArrayList<>();
    for (Setting s : ALL) {
      lines.add("  " + s.key() + " = " + s.defaultShown());
      String doc = s.doc().replace("`", "");
      StringBuilder line = new StringBuilder("      ");
      for (String word : doc.split(" ")) {
        if (line.length() + word.length() + 1 > width && line.length() > 6) {
          lines.add(line.toString().stripTrailing());
          line = new StringBuilder("      ");
        }
        line.append(word).append(' ');
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines;
  }

  private static Map<String, Setting> index() {
    Map<String, Setting> m = new LinkedHashMap<>();
    for (Setting s : ALL) {
      if (m.put(s.key(), s) != null) {
        throw new IllegalStateException("setting listed twice: " + s.key());
      }
      s.parse(s.defaultValue()); // a default outside its own bounds is a bug here
    }
    return m;
  }
}
